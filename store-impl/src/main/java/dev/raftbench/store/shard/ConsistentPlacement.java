package dev.raftbench.store.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing of shards onto nodes, as a Dynamo-style store without a master places them:
 * every node has {@value #VNODES} points on a 64-bit ring ({@code KeyHash.hash64("n<i>#<v>")},
 * by the node's id), and shard s's replicas are the first k distinct nodes clockwise from
 * {@code KeyHash.hash64("shard-<s>")}, the first its preferred leader. Anyone who knows the member
 * list computes the same layout; a node that joins takes over only the arcs its points cut, so
 * about 1/(n+1) of the replicas move, but nothing evens the counts out: some nodes hold more.
 */
public final class ConsistentPlacement implements Placement {
  /** Points per node. */
  public static final int VNODES = 64;

  @Override
  public String name() {
    return "consistent";
  }

  /** Nodes 0..n-1 are the engines' {@code n1..nN}. */
  @Override
  public List<List<Integer>> place(int nodes, int shards, int replication) {
    Placement.check(nodes, shards, replication);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ids.add("n" + i);
    }
    List<List<Integer>> layout = new ArrayList<>();
    for (List<String> members : place(ids, shards, replication)) {
      layout.add(members.stream().map(id -> Integer.parseInt(id.substring(1)) - 1).toList());
    }
    return layout;
  }

  /** The layout over the nodes named, by id: what a node or a client derives from the member list. */
  public static List<List<String>> place(List<String> nodes, int shards, int replication) {
    Placement.check(nodes.size(), shards, replication);
    TreeMap<Long, String> ring = new TreeMap<>();
    for (String node : nodes) {
      for (int v = 0; v < VNODES; v++) {
        ring.put(KeyHash.hash64(node + "#" + v), node);
      }
    }
    List<List<String>> layout = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      List<String> members = new ArrayList<>(replication);
      long h = KeyHash.hash64("shard-" + s);
      for (Map.Entry<Long, String> e : ring.tailMap(h, true).entrySet()) {
        if (members.size() == replication) {
          break;
        }
        if (!members.contains(e.getValue())) {
          members.add(e.getValue());
        }
      }
      for (Map.Entry<Long, String> e : ring.entrySet()) { // wrapped around
        if (members.size() == replication) {
          break;
        }
        if (!members.contains(e.getValue())) {
          members.add(e.getValue());
        }
      }
      layout.add(List.copyOf(members));
    }
    return layout;
  }
}
