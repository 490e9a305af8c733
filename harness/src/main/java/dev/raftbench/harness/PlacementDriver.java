package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The placement driver ({@code --coordinator pd}): one authority that holds every shard's members
 * and epoch in a Raft group of its own ({@link PdGroup}, on the trial's engine) and, when a node
 * joins or leaves, moves replicas one at a time, as TiKV's PD and RheaKV's placement driver do. It
 * plans from the map it reads back from its group, writes a shard's entry after each membership
 * change, and rewrites an entry that disagrees with the shard's group (a map write that failed). It guarantees
 * balance: afterwards every live node holds as many replicas as any other, to within one, and
 * leads as many shards, to within one.
 *
 * <ul>
 *   <li>Join: the engine starts an empty node; replicas move from the fullest node to the emptiest
 *       until balanced. Each move gives the newcomer one more replica, so the moves are the fewest
 *       that balance.
 *   <li>Leave: each replica of the leaving node goes to the emptiest live node that does not hold
 *       its shard, then the node is removed.
 *   <li>Then leaders are balanced by leadership transfers.
 * </ul>
 */
final class PlacementDriver extends Coordinator {
  private final PdGroup group;

  /** Takes over the group (closes it on close); writes every shard's entry as the engine has it now. */
  PlacementDriver(Engine engine, int replication, PdGroup group) {
    super(engine, replication);
    this.group = group;
    try {
      for (int s = 0; s < shards; s++) {
        changed(s);
      }
    } catch (RuntimeException e) {
      group.close();
      throw e;
    }
  }

  @Override
  protected void changed(int shard) {
    group.put(shard, new PdGroup.Entry(engine.epoch(shard), sorted(engine.members(shard))));
  }

  /**
   * The shard's members as the pd's map says. An entry that disagrees with the shard's group (a
   * change whose map write failed) is rewritten from the group, as a PD learns from its stores'
   * heartbeats, and logged.
   */
  @Override
  protected List<String> members(int shard) {
    PdGroup.Entry e = group.get(shard);
    PdGroup.Entry actual = new PdGroup.Entry(engine.epoch(shard), sorted(engine.members(shard)));
    if (!actual.equals(e)) {
      System.getLogger(PlacementDriver.class.getName()).log(System.Logger.Level.WARNING,
          "the pd's map had shard " + shard + " as " + e + ", its group is " + actual + ": rewritten");
      group.put(shard, actual);
    }
    return actual.members();
  }

  private static List<String> sorted(List<String> nodes) {
    return nodes.stream().sorted(Comparator.comparingInt(Coordinator::number)).toList();
  }

  PdGroup group() {
    return group;
  }

  @Override
  protected Long mapWrites() {
    return group.writes();
  }

  @Override
  public void close() {
    group.close();
  }

  @Override
  String name() {
    return "pd";
  }

  @Override
  Outcome join() {
    long t0 = begin();
    String added = engine.addNode();
    Map<String, List<Integer>> held = holdings();
    int ideal = newcomerShare(held.size());
    int moved = 0;
    while (true) {
      String fullest = fullest(held);
      String emptiest = emptiest(held, null);
      if (held.get(fullest).size() - held.get(emptiest).size() <= 1) {
        break;
      }
      int shard = held.get(fullest).stream().filter(s -> !held.get(emptiest).contains(s)).findFirst()
          .orElseThrow(() -> new IllegalStateException("no shard of " + fullest + " can move to " + emptiest));
      move(shard, fullest, emptiest, held);
      moved++;
    }
    int leaders = balanceLeaders();
    return outcome(added, moved, ideal, leaders, t0);
  }

  @Override
  Outcome leave(String node) {
    long t0 = begin();
    String leaving = node != null ? node : leaving();
    Map<String, List<Integer>> held = holdings();
    List<Integer> its = List.copyOf(held.get(leaving));
    int moved = 0;
    for (int shard : its) {
      if (engine.members(shard).size() > replication) {
        // a replica too many (a move that failed half-way): only the removal is left to do
        moveLeadershipOff(shard, leaving, engine.members(shard).stream().filter(m -> !m.equals(leaving)).findFirst().orElseThrow());
        removeReplica(shard, leaving);
        held.get(leaving).remove(Integer.valueOf(shard));
      } else {
        move(shard, leaving, emptiest(held, shard), held);
        moved++;
      }
    }
    engine.removeNode(leaving);
    int leaders = balanceLeaders();
    return outcome(leaving, moved, its.size(), leaders, t0);
  }

  private void move(int shard, String from, String to, Map<String, List<Integer>> held) {
    move(shard, from, to);
    held.get(to).add(shard);
    held.get(from).remove(Integer.valueOf(shard));
  }

  /** Leadership transfers until every live node leads as many shards as any other, to within one. */
  private int balanceLeaders() {
    int moves = 0;
    for (int round = 0; round < shards; round++) {
      Map<String, List<Integer>> led = leaders();
      String most = fullest(led);
      List<String> fewest = led.keySet().stream().sorted(Comparator.comparingInt((String n) -> led.get(n).size())
          .thenComparingInt(Coordinator::number)).toList();
      boolean transferred = false;
      for (String target : fewest) {
        if (led.get(most).size() - led.get(target).size() <= 1) {
          break;
        }
        Optional<Integer> shard = led.get(most).stream().filter(s -> engine.members(s).contains(target)).findFirst();
        if (shard.isPresent()) {
          engine.transferLeadership(shard.get(), target);
          moves++;
          transferred = true;
          break;
        }
      }
      if (!transferred) {
        break; // balanced, or no member of the busiest node's shards leads fewer: as balanced as the replicas allow
      }
    }
    return moves;
  }

  /** The node with the most entries (the lowest-numbered of those). */
  private static String fullest(Map<String, List<Integer>> counts) {
    return counts.entrySet().stream().max(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> e.getValue().size())
        .thenComparing(e -> -number(e.getKey()))).orElseThrow().getKey();
  }

  /** The live node with the fewest replicas (the lowest-numbered of those) that does not hold {@code shard} (null: any). */
  private static String emptiest(Map<String, List<Integer>> held, Integer shard) {
    return held.entrySet().stream().filter(e -> shard == null || !e.getValue().contains(shard))
        .min(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> e.getValue().size()).thenComparingInt(e -> number(e.getKey())))
        .orElseThrow(() -> new IllegalStateException("no live node can take a replica of shard " + shard)).getKey();
  }
}
