package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who moves shards when a node joins or leaves ({@code --coordinator}): {@link PlacementDriver}
 * ({@code pd}, one authority that balances) or {@link RingCoordinator} ({@code ring}, placement
 * derived from the member list alone). Both move a replica the same way, through the engine's
 * membership changes: the new member is added (it catches up, by snapshot then log, and becomes a
 * voter), leadership leaves the old member if it leads, the old member is removed.
 */
abstract class Coordinator implements AutoCloseable {
  static final List<String> NAMES = List.of("pd", "ring");
  /** The events a coordinator carries out. */
  static final List<String> ACTIONS = List.of("add-node", "remove-node", "transfer-leaders");

  /**
   * What a join or a leave did.
   *
   * @param idealMoves      the fewest replica moves a balanced outcome needs: on a join the
   *                        newcomer's share, floor(replicas / nodes); on a leave the replicas it held
   * @param seconds         from the event until the coordinator was done
   * @param replicasPerNode after the change, per live node
   * @param bytesMoved      what the new replicas held on disk once they had joined (the snapshot
   *                        and log entries catching up sent them); null where the engine cannot tell
   * @param mapWrites       writes of the shard map to the pd's own Raft group so far; null for {@code ring}
   */
  record Outcome(String coordinator, String node, int replicasMoved, int idealMoves, int leadersMoved, double seconds,
      Map<String, Integer> replicasPerNode, Map<String, Integer> leadersPerNode, Long bytesMoved, Long mapWrites) {}

  /** The coordinator of a trial: {@code pd} starts its own Raft group on {@code provider} (closed with the coordinator). */
  static Coordinator create(String name, Engine engine, EngineProvider provider, EngineSpec cluster) throws Exception {
    return switch (name) {
      case "pd" -> new PlacementDriver(engine, cluster.replication(), PdGroup.start(provider, cluster));
      case "ring" -> new RingCoordinator(engine, cluster.replication());
      default -> throw new IllegalArgumentException("unknown coordinator '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    };
  }

  protected final Engine engine;
  protected final int shards;
  protected final int replication;
  /** Bytes the replicas added since {@link #begin} held on disk once they joined; -1 once one could not be told. */
  private final java.util.concurrent.atomic.AtomicLong bytesMoved = new java.util.concurrent.atomic.AtomicLong();

  Coordinator(Engine engine, int replication) {
    this.engine = engine;
    this.shards = engine.shards();
    this.replication = replication;
  }

  abstract String name();

  /** Starts a new node and moves replicas onto it. */
  abstract Outcome join();

  /** Moves every replica off the node and removes it. */
  abstract Outcome leave(String node);

  /**
   * {@code transfer-leaders}: every shard's leadership goes to the member after its leader (in
   * node order), as an operator draining leaders or a rolling restart would; no replica moves.
   */
  Outcome rotateLeaders() {
    long t0 = begin();
    int moved = 0;
    for (int s = 0; s < shards; s++) {
      Optional<String> leader = engine.leader(s);
      List<String> members = engine.members(s).stream().sorted(Comparator.comparingInt(Coordinator::number)).toList();
      if (leader.isEmpty() || members.size() < 2) {
        continue;
      }
      engine.transferLeadership(s, members.get((members.indexOf(leader.get()) + 1) % members.size()));
      moved++;
    }
    return outcome(null, 0, 0, moved, t0);
  }

  /** The replicas a balanced layout gives each of {@code liveNodes} nodes at least: a newcomer's share, the fewest moves of a join. */
  protected int newcomerShare(int liveNodes) {
    return shards * replication / liveNodes;
  }

  /** The node {@code remove-node} takes away: the lowest-numbered live one. */
  String leaving() {
    String n = engine.nodes().stream().min(Comparator.comparingInt(Coordinator::number)).orElseThrow();
    if (engine.nodes().size() - 1 < replication) {
      throw new IllegalStateException("removing " + n + " would leave " + (engine.nodes().size() - 1) + " nodes for "
          + replication + " replicas a shard");
    }
    return n;
  }

  /** Moves shard's replica from one node to another: add, leadership off, remove. */
  protected void move(int shard, String from, String to) {
    addReplica(shard, to);
    moveLeadershipOff(shard, from, to);
    removeReplica(shard, from);
  }

  /** Removes the node from the shard's group. */
  protected void removeReplica(int shard, String from) {
    engine.removeMember(shard, from);
    changed(shard);
  }

  /** Called after each membership change of the shard (pd records it in its shard map). */
  protected void changed(int shard) {}

  /** Writes of the shard map so far, for coordinators that keep one (pd); null otherwise. */
  protected Long mapWrites() {
    return null;
  }

  @Override
  public void close() {}

  /** The start of a join or leave: the clock and the bytes counted from here. */
  protected long begin() {
    bytesMoved.set(0);
    return System.nanoTime();
  }

  /** Adds the node to the shard's group and counts what its replica then holds on disk. */
  protected void addReplica(int shard, String to) {
    engine.addMember(shard, to);
    changed(shard);
    java.util.OptionalLong bytes = engine.replicaBytes(to, shard);
    bytesMoved.updateAndGet(b -> b < 0 || bytes.isEmpty() ? -1 : b + bytes.getAsLong());
  }

  protected void moveLeadershipOff(int shard, String from, String to) {
    if (engine.leader(shard).map(from::equals).orElse(false)) {
      engine.transferLeadership(shard, to);
    }
  }

  /** Live node -> the shards it holds a replica of, in node order. */
  protected Map<String, List<Integer>> holdings() {
    Map<String, List<Integer>> held = new TreeMap<>(Comparator.comparingInt(Coordinator::number));
    for (String n : engine.nodes()) {
      held.put(n, new ArrayList<>());
    }
    for (int s = 0; s < shards; s++) {
      for (String m : members(s)) {
        held.computeIfAbsent(m, k -> new ArrayList<>()).add(s);
      }
    }
    return held;
  }

  /** The shard's members as this coordinator knows them: the engine's (pd: its own map). */
  protected List<String> members(int shard) {
    return engine.members(shard);
  }

  /** Live node -> the shards it leads (a shard with no leader just now counts for none). */
  protected Map<String, List<Integer>> leaders() {
    Map<String, List<Integer>> led = new TreeMap<>(Comparator.comparingInt(Coordinator::number));
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

  protected Outcome outcome(String node, int moved, int ideal, int leaders, long t0) {
    Map<String, Integer> replicas = new LinkedHashMap<>();
    holdings().forEach((n, s) -> replicas.put(n, s.size()));
    Map<String, Integer> led = new LinkedHashMap<>();
    leaders().forEach((n, s) -> led.put(n, s.size()));
    double seconds = (System.nanoTime() - t0) / 1e9;
    long bytes = bytesMoved.get();
    return new Outcome(name(), node, moved, ideal, leaders, seconds, replicas, led, bytes < 0 ? null : bytes, mapWrites());
  }

  /** n12 -> 12: nodes in the order they were made. */
  protected static int number(String node) {
    try {
      return Integer.parseInt(node.replaceAll("\\D", ""));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
