package dev.raftbench.store.shard;

import java.util.ArrayList;
import java.util.List;

/**
 * TiKV-like multi-raft on a ring of nodes: shard i on nodes i, i+1, ..., i+k-1 (mod n), led by
 * node i; every node belongs to k groups once there are at least n shards.
 */
public final class RingPlacement implements Placement {
  @Override
  public String name() {
    return "ring";
  }

  @Override
  public List<List<Integer>> place(int nodes, int shards, int replication) {
    Placement.check(nodes, shards, replication);
    List<List<Integer>> layout = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      List<Integer> members = new ArrayList<>(replication);
      for (int j = 0; j < replication; j++) {
        members.add((s + j) % nodes);
      }
      layout.add(List.copyOf(members));
    }
    return layout;
  }
}
