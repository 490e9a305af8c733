package dev.raftbench.store.shard;

import java.util.ArrayList;
import java.util.List;

/**
 * One Raft group per set of k machines: the nodes split into floor(n / k) disjoint sets of k;
 * shard s lives on set s mod sets, its leader rotating within the set. Nodes beyond the last full
 * set hold nothing.
 */
public final class GroupsPlacement implements Placement {
  @Override
  public String name() {
    return "groups";
  }

  @Override
  public List<List<Integer>> place(int nodes, int shards, int replication) {
    Placement.check(nodes, shards, replication);
    int sets = nodes / replication;
    List<List<Integer>> layout = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      int set = s % sets;
      int rotation = (s / sets) % replication;
      List<Integer> members = new ArrayList<>(replication);
      for (int j = 0; j < replication; j++) {
        members.add(set * replication + (rotation + j) % replication);
      }
      layout.add(List.copyOf(members));
    }
    return layout;
  }
}
