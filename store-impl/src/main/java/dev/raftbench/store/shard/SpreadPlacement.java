package dev.raftbench.store.shard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every node holds about the same number of replicas and of leaders: shard by shard, the k nodes
 * with the fewest replicas so far take it (ties rotate with the shard), and the one of them with
 * the fewest leaders leads it. Replica and leader counts differ by at most one between nodes.
 */
public final class SpreadPlacement implements Placement {
  @Override
  public String name() {
    return "spread";
  }

  @Override
  public List<List<Integer>> place(int nodes, int shards, int replication) {
    Placement.check(nodes, shards, replication);
    int[] replicas = new int[nodes];
    int[] leaders = new int[nodes];
    List<List<Integer>> layout = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      int shard = s;
      List<Integer> chosen = IntStream.range(0, nodes).boxed()
          .sorted(Comparator.<Integer>comparingInt(n -> replicas[n]).thenComparingInt(n -> Math.floorMod(n - shard, nodes)))
          .limit(replication).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
      int leader = chosen.stream().min(Comparator.<Integer>comparingInt(n -> leaders[n]).thenComparingInt(chosen::indexOf)).orElseThrow();
      chosen.remove(Integer.valueOf(leader));
      chosen.add(0, leader);
      for (int n : chosen) {
        replicas[n]++;
      }
      leaders[leader]++;
      layout.add(List.copyOf(chosen));
    }
    return layout;
  }
}
