package dev.raftbench.store.engine;

import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A running cluster. Adapters translate these calls to their library and nothing more: routing,
 * retries, scans across shards and the state machine live in store-impl.
 *
 * <p>Futures fail with {@link EngineException} for cluster trouble (retriable or not) and with
 * {@link IllegalArgumentException} for a command the engine refuses.
 */
public interface Engine extends AutoCloseable {

  /** The provider's name, e.g. "ratis". */
  String name();

  int shards();

  /** Node ids, stable for the life of the cluster. */
  List<String> nodes();

  /** Replicates the write through the shard's log and completes with the reply of the leader's apply. */
  CompletableFuture<Reply> write(int shard, Command.Write write);

  /** Serves a read on the shard at the consistency the cluster was started with. */
  CompletableFuture<Reply> read(int shard, Command.Read read);

  /**
   * The shard's epoch in the engine's own shard map: 0 at start, one more after each membership
   * change of the shard ({@link #addMember}, {@link #removeMember}), which also commits it to the
   * shard's log. Engines without membership change stay at 0.
   */
  default long epoch(int shard) {
    return 0;
  }

  /**
   * The write as routed with the shard epoch {@code epoch} (the caller's, perhaps stale, view):
   * fails with {@link StaleEpochException} if the shard has moved on. Engines whose shards never
   * change membership ignore the epoch.
   */
  default CompletableFuture<Reply> write(int shard, long epoch, Command.Write write) {
    return write(shard, write);
  }

  /** The read as routed with the shard epoch {@code epoch}; see {@link #write(int, long, Command.Write)}. */
  default CompletableFuture<Reply> read(int shard, long epoch, Command.Read read) {
    return read(shard, read);
  }

  /** A read of one replica's own state, no consistency promised: for checking replicas. */
  CompletableFuture<Reply> readAt(String node, int shard, Command.Read read);

  /** The node currently leading the shard's group, if one is known. */
  Optional<String> leader(int shard);

  /** The voting members of the shard's group. */
  List<String> members(int shard);

  /** Stops one node (its disk state kept) as a crash would. */
  void stopNode(String node);

  /** Starts a stopped node again with the state it kept. */
  void startNode(String node);

  /**
   * Freezes the node (SIGSTOP to its processes): it keeps its sockets, memory and disk but does
   * nothing, as a stalled machine or a long GC pause; its peers see only silence.
   */
  default void pauseNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.NODE_PAUSE);
  }

  /** Lets a paused node run again (SIGCONT), with whatever it believed when it was frozen. */
  default void resumeNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.NODE_PAUSE);
  }

  /**
   * Cuts the node off from every other node, both ways, without a word to it (its packets to them
   * and theirs to it vanish); clients still reach it ({@link NodeHosts#isolate}).
   */
  default void isolateNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.PARTITION);
  }

  /** Reconnects a node cut off by {@link #isolateNode}. */
  default void rejoinNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.PARTITION);
  }

  /**
   * Makes every sync to disk of the node (fsync, fdatasync, msync) take {@code delay} longer, or,
   * with {@link java.time.Duration#ZERO}, as long as the disk takes again.
   */
  default void slowDisk(String node, java.time.Duration delay) {
    throw new UnsupportedCapabilityException(name(), Capability.SLOW_DISK);
  }

  /**
   * Starts a new node that holds no replica, as a machine joining the cluster, and returns its id
   * (it is then in {@link #nodes()}); shards reach it through {@link #addMember}.
   */
  default String addNode() {
    throw new UnsupportedCapabilityException(name(), Capability.NODE_JOIN);
  }

  /**
   * Stops a node that holds no replica any more and deletes its disk state, as a machine leaving
   * the cluster; it is no longer in {@link #nodes()}. Refused while it still holds a replica.
   */
  default void removeNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.NODE_JOIN);
  }

  /**
   * Adds a running node to the shard's group: it catches up (snapshot, then log) and becomes a
   * voter. Returns once the new configuration is committed.
   */
  default void addMember(int shard, String node) {
    throw new UnsupportedCapabilityException(name(), Capability.MEMBERSHIP);
  }

  /** Removes a member from the shard's group and drops its replica. Returns once committed. */
  default void removeMember(int shard, String node) {
    throw new UnsupportedCapabilityException(name(), Capability.MEMBERSHIP);
  }

  /**
   * What the node's replica of the shard holds on disk (its log and snapshots), e.g. just after it
   * joined the group: what catching up sent it. Empty where the engine cannot tell (memory log,
   * or replicas whose files are not this engine's to see).
   */
  default java.util.OptionalLong replicaBytes(String node, int shard) {
    return java.util.OptionalLong.empty();
  }

  /** Makes the member lead the shard's group; returns once it does. */
  default void transferLeadership(int shard, String node) {
    throw new UnsupportedCapabilityException(name(), Capability.MEMBERSHIP);
  }

  /**
   * The settings this cluster runs with beyond the spec (library defaults this adapter changes,
   * flags it passes to a server process), for the bundle's {@code spec.engine_settings}.
   */
  default java.util.Map<String, String> settings() {
    return java.util.Map.of();
  }

  /**
   * The harness calls this when the measured phase begins (after load and warm-up): engines that
   * schedule events relative to it (a synthetic stall, later faults) start their clocks here.
   */
  default void measuredPhaseStarted() {}

  /**
   * The harness calls this when the measured phase has ended and its operations are answered: what
   * the engine measured of itself since {@link #measuredPhaseStarted()}, for the bundle's
   * {@code engine_report} (a calibration engine reports the service it delivered, so that the
   * harness' figures can be checked against it). Values are numbers, strings or HdrHistograms of
   * nanoseconds (written as their count and {@code p50_us} .. {@code max_us}). Empty by default.
   */
  default java.util.Map<String, Object> measuredPhaseEnded() {
    return java.util.Map.of();
  }

  /** Stops every node and frees every thread, port and temporary file. Idempotent. */
  @Override
  void close();
}
