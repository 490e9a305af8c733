package dev.raftbench.store.engine;

import java.util.EnumSet;
import java.util.Set;

/** What an engine can do beyond serving reads and writes; asked before trying. */
public enum Capability {
  /** Data survives the loss of a minority of nodes. */
  REPLICATION,
  /** {@link Engine#stopNode} and {@link Engine#startNode}. */
  NODE_STOP_START,
  /** Log compaction with snapshots that lagging replicas install. */
  SNAPSHOT_INSTALL,
  /** Shards on the replica sets {@link EngineSpec#layout()} gives, not on every node. */
  PLACEMENT,
  /** {@link Engine#addMember}, {@link Engine#removeMember} and {@link Engine#transferLeadership}. */
  MEMBERSHIP,
  /** The election timeout can be set (-E); Atomix fixes it at 2.5 s. */
  TUNABLE_ELECTION,
  /** {@link Engine#pauseNode} and {@link Engine#resumeNode}, where the nodes are processes of their own. */
  NODE_PAUSE,
  /** Nodes can run as processes of their own ({@link ClusterMode#PROCESSES}, {@code --cluster processes}). */
  PROCESSES,
  /**
   * {@link Engine#isolateNode} and {@link Engine#rejoinNode}: nodes in network namespaces of their
   * own ({@link ClusterMode#NETNS}, {@code --cluster netns}), one of which can be cut off from the others.
   */
  PARTITION,
  /** {@link Engine#slowDisk}: a node's syncs to disk made slower, where its nodes are JVMs of their own. */
  SLOW_DISK,
  /**
   * {@link Engine#addNode} and {@link Engine#removeNode}: a node joins the running cluster empty,
   * or leaves it once it holds no replica (shards move by {@link #MEMBERSHIP} changes).
   */
  NODE_JOIN;

  /** The capabilities not in the set: what an engine reports as "not supported". */
  public static Set<Capability> missingFrom(Set<Capability> has) {
    EnumSet<Capability> missing = EnumSet.allOf(Capability.class);
    missing.removeAll(has);
    return missing;
  }
}
