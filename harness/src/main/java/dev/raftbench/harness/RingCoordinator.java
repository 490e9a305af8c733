package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.shard.ConsistentPlacement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ring ({@code --coordinator ring}): no master. Placement is a function of the member list
 * alone ({@link ConsistentPlacement}: consistent hashing of shards onto node ids), so every
 * client and node that knows who the members are computes the same layout, and the cluster starts
 * on it ({@code --placement consistent}). When a node joins or leaves, every shard whose replica
 * set changes is moved by its new owners, all at once (here: up to {@value #PARALLEL} shards at a
 * time, from the trial's JVM, the only client), and its leadership goes to its first node on the
 * ring.
 *
 * <p>It guarantees that placement follows from membership and that replicas move only onto the
 * node that joined or off the node that left; it does not guarantee balance: each node holds what
 * its points on the ring cut, so some hold more than others.
 */
final class RingCoordinator extends Coordinator {
  static final int PARALLEL = 4;

  RingCoordinator(Engine engine, int replication) {
    super(engine, replication);
  }

  @Override
  String name() {
    return "ring";
  }

  @Override
  Outcome join() {
    long t0 = begin();
    String added = engine.addNode();
    List<String> live = engine.nodes();
    int[] moved = apply(ConsistentPlacement.place(live, shards, replication));
    return outcome(added, moved[0], newcomerShare(live.size()), moved[1], t0);
  }

  @Override
  Outcome leave(String node) {
    long t0 = begin();
    String leaving = node != null ? node : leaving();
    List<String> live = new ArrayList<>(engine.nodes());
    live.remove(leaving);
    int held = holdings().get(leaving).size();
    int[] moved = apply(ConsistentPlacement.place(live, shards, replication));
    engine.removeNode(leaving);
    return outcome(leaving, moved[0], held, moved[1], t0);
  }

  /** Moves every shard onto its target replica set, shards in parallel: {replicas added, leaderships moved}. */
  private int[] apply(List<List<String>> target) {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
      Thread t = new Thread(r, "raftbench-ring-move");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<int[]>> moves = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        int shard = s;
        List<String> want = target.get(s);
        if (!new HashSet<>(engine.members(s)).equals(new HashSet<>(want))) {
          moves.add(pool.submit(() -> moveShard(shard, want)));
        }
      }
      int[] total = new int[2];
      RuntimeException failed = null;
      for (Future<int[]> f : moves) {
        try {
          int[] m = f.get();
          total[0] += m[0];
          total[1] += m[1];
        } catch (ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
          if (failed == null) {
            failed = cause;
          } else {
            failed.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while moving shards", e);
        }
      }
      if (failed != null) {
        throw failed;
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The new owners join, the ring's first node leads, the old owners leave: {replicas added, leaderships moved}. */
  private int[] moveShard(int shard, List<String> want) {
    Set<String> current = new HashSet<>(engine.members(shard));
    List<String> adds = want.stream().filter(n -> !current.contains(n)).toList();
    List<String> removes = current.stream().filter(n -> !want.contains(n)).toList();
    for (String n : adds) {
      addReplica(shard, n);
    }
    int led = 0;
    if (!engine.leader(shard).map(want.get(0)::equals).orElse(false)) {
      engine.transferLeadership(shard, want.get(0));
      led = 1;
    }
    for (String n : removes) {
      removeReplica(shard, n);
    }
    return new int[] {adds.size(), led};
  }
}
