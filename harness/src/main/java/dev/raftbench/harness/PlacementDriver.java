package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The placement driver: one authority in the trial that knows every shard's members and, when a
 * node joins or leaves, moves replicas through the engine's membership changes one at a time, as
 * TiKV's PD and RheaKV's placement driver do (theirs are Raft groups of their own; this one lives
 * in the trial's JVM, which is the only client).
 *
 * <p>A move of shard s from node a to node b: b is added (it catches up, by snapshot then log, and
 * becomes a voter), leadership leaves a if a leads, a is removed. Balanced: every live node holds
 * as many replicas as any other, to within one, and leads as many shards, to within one.
 *
 * <ul>
 *   <li>Join: the engine starts an empty node; replicas move from the fullest node to the emptiest
 *       until balanced. Each move gives the newcomer one more replica, so the moves are the fewest
 *       that balance: the newcomer's share, {@code floor(replicas / nodes)}, which the outcome
 *       reports as the ideal.
 *   <li>Leave: each replica of the leaving node goes to the emptiest live node that does not hold
 *       its shard, then the node is removed. The ideal is the replicas it held.
 *   <li>Then leaders are balanced by leadership transfers.
 * </ul>
 */
final class PlacementDriver {
  /**
   * What a join or a leave did.
   *
   * @param seconds          from the event until replicas and leaders were balanced
   * @param replicasPerNode  after the change, per live node
   */
  record Outcome(String node, int replicasMoved, int idealMoves, int leadersMoved, double seconds,
      Map<String, Integer> replicasPerNode, Map<String, Integer> leadersPerNode) {}

  private final Engine engine;
  private final int shards;

  PlacementDriver(Engine engine) {
    this.engine = engine;
    this.shards = engine.shards();
  }

  /** Starts a node and balances replicas and leaders onto it. */
  Outcome join() {
    long t0 = System.nanoTime();
    String added = engine.addNode();
    Map<String, List<Integer>> held = holdings();
    int replicas = held.values().stream().mapToInt(List::size).sum();
    int ideal = replicas / held.size();
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

  /** Moves every replica off the node (the lowest-numbered live one when null), removes it, balances leaders. */
  Outcome leave(String node) {
    long t0 = System.nanoTime();
    Map<String, List<Integer>> held = holdings();
    String leaving = node != null ? node : held.keySet().stream().min(Comparator.comparingInt(PlacementDriver::number)).orElseThrow();
    int replication = held.values().stream().mapToInt(List::size).sum() / Math.max(1, shards);
    if (held.size() - 1 < replication) {
      throw new IllegalStateException("removing " + leaving + " would leave " + (held.size() - 1) + " nodes for " + replication + " replicas a shard");
    }
    List<Integer> its = List.copyOf(held.get(leaving));
    for (int shard : its) {
      if (engine.members(shard).size() > replication) {
        // a replica too many (a move that failed half-way): only the removal is left to do
        moveLeadershipOff(shard, leaving, engine.members(shard).stream().filter(m -> !m.equals(leaving)).findFirst().orElseThrow());
        engine.removeMember(shard, leaving);
        held.get(leaving).remove(Integer.valueOf(shard));
      } else {
        move(shard, leaving, emptiest(held, shard), held);
      }
    }
    engine.removeNode(leaving);
    int leaders = balanceLeaders();
    return outcome(leaving, its.size(), its.size(), leaders, t0);
  }

  private void move(int shard, String from, String to, Map<String, List<Integer>> held) {
    engine.addMember(shard, to);
    held.get(to).add(shard);
    moveLeadershipOff(shard, from, to);
    engine.removeMember(shard, from);
    held.get(from).remove(Integer.valueOf(shard));
  }

  private void moveLeadershipOff(int shard, String from, String to) {
    if (engine.leader(shard).map(from::equals).orElse(false)) {
      engine.transferLeadership(shard, to);
    }
  }

  /** Leadership transfers until every live node leads as many shards as any other, to within one. */
  private int balanceLeaders() {
    int moves = 0;
    for (int round = 0; round < shards; round++) {
      Map<String, List<Integer>> led = leaders();
      String most = led.entrySet().stream().max(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> e.getValue().size())
          .thenComparing(e -> -number(e.getKey()))).orElseThrow().getKey();
      List<String> fewest = led.keySet().stream().sorted(Comparator.comparingInt((String n) -> led.get(n).size())
          .thenComparingInt(PlacementDriver::number)).toList();
      if (led.get(most).size() - led.get(fewest.get(0)).size() <= 1) {
        break;
      }
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
        break; // no member of the busiest node's shards leads fewer: as balanced as the replicas allow
      }
    }
    return moves;
  }

  /** Live node -> the shards it holds a replica of. */
  private Map<String, List<Integer>> holdings() {
    Map<String, List<Integer>> held = new TreeMap<>(Comparator.comparingInt(PlacementDriver::number));
    for (String n : engine.nodes()) {
      held.put(n, new ArrayList<>());
    }
    for (int s = 0; s < shards; s++) {
      for (String m : engine.members(s)) {
        held.computeIfAbsent(m, k -> new ArrayList<>()).add(s);
      }
    }
    return held;
  }

  /** Live node -> the shards it leads (a shard with no leader just now counts for none). */
  private Map<String, List<Integer>> leaders() {
    Map<String, List<Integer>> led = new TreeMap<>(Comparator.comparingInt(PlacementDriver::number));
    for (String n : engine.nodes()) {
      led.put(n, new ArrayList<>());
    }
    for (int s = 0; s < shards; s++) {
      Optional<String> l = engine.leader(s);
      if (l.isPresent() && led.containsKey(l.get())) {
        led.get(l.get()).add(s);
      }
    }
    return led;
  }

  private static String fullest(Map<String, List<Integer>> held) {
    return held.entrySet().stream().max(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> e.getValue().size())
        .thenComparing(e -> -number(e.getKey()))).orElseThrow().getKey();
  }

  /** The live node with the fewest replicas (the lowest-numbered of those) that does not hold {@code shard} (null: any). */
  private static String emptiest(Map<String, List<Integer>> held, Integer shard) {
    return held.entrySet().stream().filter(e -> shard == null || !e.getValue().contains(shard))
        .min(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> e.getValue().size()).thenComparingInt(e -> number(e.getKey())))
        .orElseThrow(() -> new IllegalStateException("no live node can take a replica of shard " + shard)).getKey();
  }

  private Outcome outcome(String node, int moved, int ideal, int leaders, long t0) {
    Map<String, Integer> replicas = new LinkedHashMap<>();
    holdings().forEach((n, s) -> replicas.put(n, s.size()));
    Map<String, Integer> led = new LinkedHashMap<>();
    leaders().forEach((n, s) -> led.put(n, s.size()));
    return new Outcome(node, moved, ideal, leaders, (System.nanoTime() - t0) / 1e9, replicas, led);
  }

  /** n12 -> 12: nodes in the order they were made. */
  private static int number(String node) {
    try {
      return Integer.parseInt(node.replaceAll("\\D", ""));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
