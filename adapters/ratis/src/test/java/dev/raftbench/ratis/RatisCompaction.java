package dev.raftbench.ratis;

import java.util.Map;

/** Ratis settings that snapshot and purge after a few dozen entries, so a lagging member must install a snapshot. */
final class RatisCompaction {
  static final Map<String, String> EAGER = Map.of(
      "raft.server.snapshot.auto.trigger.threshold", "40",
      "raft.server.log.purge.gap", "8",
      "raft.server.log.purge.upto.snapshot.index", "true",
      // the disk log purges whole closed segments only: make segments small
      "raft.server.log.segment.size.max", "8KB",
      "raft.server.log.preallocated.size", "8KB");

  private RatisCompaction() {}
}
