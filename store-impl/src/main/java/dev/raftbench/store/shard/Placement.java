package dev.raftbench.store.shard;

import java.util.List;

/**
 * Where each shard's replicas live: for every shard, the indexes (0 .. nodes-1) of its k replica
 * nodes, distinct, the first being its preferred leader.
 */
public interface Placement {
  String name();

  List<List<Integer>> place(int nodes, int shards, int replication);

  static void check(int nodes, int shards, int replication) {
    if (nodes <= 0 || shards <= 0) {
      throw new IllegalArgumentException("nodes and shards must be positive");
    }
    if (replication <= 0 || replication > nodes) {
      throw new IllegalArgumentException("replication must lie in [1, nodes = " + nodes + "], was " + replication);
    }
  }
}
