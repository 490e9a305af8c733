package dev.raftbench.store.engine;

import java.util.List;
import java.util.Set;

/**
 * One engine, found by {@link java.util.ServiceLoader}: an adapter module registers its provider
 * in {@code META-INF/services/dev.raftbench.store.engine.EngineProvider}.
 */
public interface EngineProvider {

  /** Name used on the command line, e.g. "ratis". */
  String name();

  /** One line for {@code harness list}. */
  String description();

  /** Transport names; the first is the default. */
  List<String> transports();

  default String defaultTransport() {
    return transports().get(0);
  }

  /** Everything the engine can do in some configuration (what {@code harness list} shows). */
  Set<Capability> capabilities();

  /**
   * What the engine can do as this spec configures it: e.g. freeze a node only when its nodes are
   * processes, stop one only when it started them. The harness checks a run's needs against this.
   */
  default Set<Capability> capabilities(EngineSpec spec) {
    Set<Capability> here = java.util.EnumSet.noneOf(Capability.class);
    here.addAll(capabilities());
    if (!spec.cluster().processes()) {
      // nodes that share the client's JVM cannot be frozen, cut off or slowed one at a time
      here.remove(Capability.NODE_PAUSE);
      here.remove(Capability.SLOW_DISK);
    }
    if (!SlowSync.available()) {
      here.remove(Capability.SLOW_DISK); // this build has no slow-sync library (no gcc where it was built)
    }
    if (spec.cluster() != ClusterMode.NETNS) {
      here.remove(Capability.PARTITION); // nodes on 127.0.0.1 share one network
    }
    if (spec.cluster() == ClusterMode.EXTERNAL) {
      // somebody else's daemons: the trial neither stops, freezes nor slows them, nor moves their shards
      here.removeAll(java.util.EnumSet.of(Capability.NODE_STOP_START, Capability.NODE_PAUSE, Capability.SLOW_DISK,
          Capability.NODE_JOIN, Capability.MEMBERSHIP));
    }
    return here;
  }

  /** Whether the engine keeps what it is sent (noop and synthetic do not: nothing to verify on them). */
  default boolean storesData() {
    return true;
  }

  /**
   * Flags for the JVM a forked trial of this engine runs in (heap, {@code --add-opens}, system
   * properties); the harness adds them to the trial JVM's command line.
   */
  default List<String> jvmArgs(EngineSpec spec) {
    return List.of();
  }

  /**
   * Refuses a spec this engine cannot run (unknown transport, option or value) with an
   * {@link IllegalArgumentException}, before anything starts: the harness calls it while parsing
   * the command line, so bad input never forks a trial JVM. {@link #start} refuses the same.
   */
  default void validate(EngineSpec spec) {}

  /** Starts a cluster and returns once every shard can serve requests. */
  Engine start(EngineSpec spec) throws Exception;

  /** Whether {@link #serveNode} can run this engine's nodes as daemons ({@code harness node}). */
  default boolean hasNodeDaemon() {
    return false;
  }

  /**
   * Runs node {@code node} (from 0) of the external cluster {@code spec} ({@link ClusterMode#EXTERNAL})
   * in this JVM, as a daemon: it listens on its endpoint, keeps its state in {@code dir}, and holds
   * a replica of each shard {@link EngineSpec#layout()} gives it, those it kept on disk included
   * (a restart rejoins). Returns once it serves; closing it stops the node and keeps its disk.
   * Refused unless {@link #hasNodeDaemon()}.
   */
  default AutoCloseable serveNode(EngineSpec spec, int node, java.nio.file.Path dir) throws Exception {
    throw new UnsupportedCapabilityException(name(), Capability.PROCESSES);
  }
}
