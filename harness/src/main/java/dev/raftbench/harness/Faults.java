package dev.raftbench.harness;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Scheduled fault events of a trial ({@code --event AT:ACTION[:DOWN]}), run in the trial's JVM on
 * the embedded cluster, and the availability they cost: per shard, the longest time without a
 * successful operation during the measured phase.
 *
 * <p>Actions: {@code kill-leader} stops the node leading shard 0 (its disk state kept, as a crash
 * would) and starts it again after DOWN (default 5 s); {@code restart-all} stops every node, waits
 * DOWN (default 0 s) and starts them all at once; {@code kill-node} stops a follower of shard 0
 * (the first by id that does not lead it) and starts it again after DOWN (default 5 s); {@code pause-leader} freezes the node leading
 * shard 0 (SIGSTOP: it keeps its sockets and its belief that it leads) and lets it run again
 * after DOWN (default 5 s), on engines whose nodes are processes; {@code partition-leader} cuts the
 * node leading shard 0 off from every other node, both ways, silently (the client still reaches
 * it), and reconnects it after DOWN (default 5 s), where nodes live in network namespaces;
 * {@code slow-disk[=DELAY]} makes every sync to disk of the node leading shard 0 take DELAY longer
 * (default 50 ms) for DOWN (default 10 s), where nodes are JVMs of their own, and
 * {@code slow-disk-all[=DELAY]} every node's (a slow minority is hidden by the quorum);
 * {@code add-node} starts a new node and {@code remove-node} takes the lowest-numbered live node
 * away, each with its shards moved by the run's {@link Coordinator}; {@code transfer-leaders} hands
 * every shard's leadership to its next member (DOWN does not apply to these three).
 */
final class Faults {
  static final List<String> ACTIONS = List.of("kill-leader", "kill-node", "restart-all", "pause-leader", "partition-leader", "slow-disk",
      "slow-disk-all", "add-node", "remove-node", "transfer-leaders");
  private static final Duration DEFAULT_SYNC_DELAY = Duration.ofMillis(50);

  /** What the engine must be able to do for the action. */
  static Capability needs(String action) {
    return switch (action) {
      case "pause-leader" -> Capability.NODE_PAUSE;
      case "partition-leader" -> Capability.PARTITION;
      case "slow-disk", "slow-disk-all" -> Capability.SLOW_DISK;
      case "add-node", "remove-node" -> Capability.NODE_JOIN;
      case "transfer-leaders" -> Capability.MEMBERSHIP;
      default -> Capability.NODE_STOP_START;
    };
  }

  /** What to add to the command line when an engine could do what is asked, configured otherwise. */
  static String hint(Capability needed, ClusterMode mode) {
    return switch (needed) {
      case SLOW_DISK -> mode.processes() ? " (this build has no slow-sync library: gcc was not found where it was built)"
          : " (its nodes share the trial's JVM: add --cluster processes)";
      case NODE_PAUSE -> " (its nodes share the trial's JVM: add --cluster processes)";
      case PARTITION -> " (its nodes share 127.0.0.1: add --cluster netns)";
      default -> "";
    };
  }

  /**
   * One scheduled event.
   *
   * @param delay slow-disk's added time per sync; null for the other actions
   */
  record Event(Duration at, String action, Duration down, Duration delay) {
    /** The action as given, with its delay: what the bundle's events and the charts show. */
    String name() {
      return delay == null ? action : action + "=" + (delay.toNanos() % 1_000_000 == 0 ? delay.toMillis() + "ms" : delay.toNanos() / 1000 + "us");
    }
  }

  /**
   * What happened: when (seconds into the measured phase), to which nodes, and how long the
   * restart took (for add-node and remove-node: until balanced, with what the placement driver did).
   */
  record Happened(double atSeconds, String action, List<String> nodes, double downSeconds, double restartSeconds, String error,
      Coordinator.Outcome placement) {
    Happened(double atSeconds, String action, List<String> nodes, double downSeconds, double restartSeconds, String error) {
      this(atSeconds, action, nodes, downSeconds, restartSeconds, error, null);
    }
  }

  /** Parses AT:ACTION[=DELAY][:DOWN]; refuses anything else with a message naming the event. */
  static Event parse(String s) {
    String[] parts = s.split(":");
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException("--event takes AT:ACTION[:DOWN] (e.g. 15s:kill-leader:5s), was '" + s + "'");
    }
    Duration at = duration(parts[0], s);
    String[] actionAndDelay = parts[1].split("=", 2);
    String action = actionAndDelay[0];
    if (!ACTIONS.contains(action)) {
      throw new IllegalArgumentException("--event " + s + ": unknown action '" + action + "' (known: " + String.join(", ", ACTIONS) + ")");
    }
    Duration delay = null;
    if (action.startsWith("slow-disk")) {
      delay = actionAndDelay.length == 2 ? duration(actionAndDelay[1], s) : DEFAULT_SYNC_DELAY;
      if (delay.isZero() || delay.isNegative()) {
        throw new IllegalArgumentException("--event " + s + ": the delay per sync must be positive");
      }
    } else if (actionAndDelay.length == 2) {
      throw new IllegalArgumentException("--event " + s + ": only slow-disk and slow-disk-all take a value (slow-disk=DELAY)");
    }
    Duration down = parts.length == 3 ? duration(parts[2], s)
        : switch (action) {
          case "restart-all", "add-node", "remove-node", "transfer-leaders" -> Duration.ZERO;
          case "slow-disk", "slow-disk-all" -> Duration.ofSeconds(10);
          default -> Duration.ofSeconds(5);
        };
    return new Event(at, action, down, delay);
  }

  private static Duration duration(String v, String event) {
    try {
      return DurationConverter.parse(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--event " + event + ": '" + v + "' is not a duration (e.g. 15s, 500ms)");
    }
  }

  private final List<Event> events;
  private final Engine engine;
  /** Moves shards on add-node and remove-node. */
  private final Coordinator coordinator;
  private final List<Happened> happened = new CopyOnWriteArrayList<>();
  private final AtomicLongArray lastOk;
  private final AtomicLongArray maxGap;
  /** Per shard, when the first operation since its last success was sent; {@link #NOT_ASKED} if none was. */
  private final AtomicLongArray firstAsked;
  private static final long NOT_ASKED = Long.MIN_VALUE;
  private volatile long phaseStart = Long.MAX_VALUE;
  private volatile long phaseEnd = Long.MAX_VALUE;
  private Thread thread;

  Faults(List<Event> events, Engine engine, Coordinator coordinator) {
    this.events = events.stream().sorted(Comparator.comparing(Event::at)).toList();
    this.engine = engine;
    this.coordinator = coordinator;
    this.lastOk = new AtomicLongArray(engine.shards());
    this.maxGap = new AtomicLongArray(engine.shards());
    this.firstAsked = new AtomicLongArray(engine.shards());
    for (int s = 0; s < engine.shards(); s++) {
      firstAsked.set(s, NOT_ASKED);
    }
  }

  /** Starts the clock of the measured phase and the thread that runs the events at their times. */
  void start(long m0, long end) {
    for (int s = 0; s < lastOk.length(); s++) {
      lastOk.set(s, m0);
    }
    phaseStart = m0;
    phaseEnd = end;
    thread = new Thread(() -> runEvents(m0), "raftbench-faults");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * An operation sent to the shard at {@code sent}: the first since the shard's last success
   * starts the time it is asked without answering.
   */
  void asked(int shard, long sent) {
    if (firstAsked.get(shard) == NOT_ASKED) {
      firstAsked.compareAndSet(shard, NOT_ASKED, sent);
    }
  }

  /**
   * A successful operation on the shard, completed at {@code now}: the shard was asked and
   * answered nothing from the later of its previous success and the first operation sent to it
   * since then, until now. Counting only time when the shard was asked matters in a closed loop:
   * when one shard stalls, every worker soon waits on it, and the other shards, asked nothing,
   * would otherwise look stalled too. The first send, not this operation's own: after a stall, a
   * fresh operation often completes before the old ones that waited it out.
   */
  void succeeded(int shard, long now) {
    if (now < phaseStart || now > phaseEnd) {
      return;
    }
    long previous = lastOk.getAndAccumulate(shard, now, Math::max);
    long first = firstAsked.getAndSet(shard, NOT_ASKED);
    if (first != NOT_ASKED) {
      long gap = now - Math.max(previous, first);
      if (gap > 0) {
        maxGap.accumulateAndGet(shard, gap, Math::max);
      }
    }
  }

  /** Waits for the events still running (a node still down is started again first). */
  void finish(long end) throws InterruptedException {
    if (thread != null) {
      thread.join();
    }
    for (int s = 0; s < lastOk.length(); s++) {
      long first = firstAsked.get(s);
      if (first != NOT_ASKED) { // asked since its last success and never answered: a gap to the end
        long gap = end - Math.max(lastOk.get(s), first);
        if (gap > 0) {
          maxGap.accumulateAndGet(s, gap, Math::max);
        }
      }
    }
  }

  List<Happened> happened() {
    return List.copyOf(happened);
  }

  /**
   * Per shard, the longest time in the measured phase that it was asked and answered nothing (a
   * shard asked and still not answering at the end counts to the end), in ms.
   */
  List<Double> maxGapMillis() {
    List<Double> out = new ArrayList<>();
    for (int s = 0; s < maxGap.length(); s++) {
      out.add(maxGap.get(s) / 1e6);
    }
    return out;
  }

  private void runEvents(long m0) {
    for (Event e : events) {
      long due = m0 + e.at().toNanos();
      try {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        double at = (System.nanoTime() - m0) / 1e9;
        happened.add(run(e, at));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException ex) {
        happened.add(new Happened((System.nanoTime() - m0) / 1e9, e.name(), List.of(), 0, 0, Harness.describe(ex)));
      }
    }
  }

  private Happened run(Event e, double at) throws InterruptedException {
    switch (e.action()) {
      case "add-node", "remove-node", "transfer-leaders" -> {
        Coordinator.Outcome o = switch (e.action()) {
          case "add-node" -> coordinator.join();
          case "remove-node" -> coordinator.leave(null);
          default -> coordinator.rotateLeaders();
        };
        return new Happened(at, e.name(), o.node() == null ? List.of() : List.of(o.node()), 0, o.seconds(), null, o);
      }
      case "pause-leader" -> {
        return disturb(e, at, List.of(leader0(e)), engine::pauseNode, engine::resumeNode, "resuming");
      }
      case "partition-leader" -> {
        return disturb(e, at, List.of(leader0(e)), engine::isolateNode, engine::rejoinNode, "reconnecting");
      }
      case "slow-disk", "slow-disk-all" -> {
        return disturb(e, at, e.action().equals("slow-disk") ? List.of(leader0(e)) : engine.nodes(),
            n -> engine.slowDisk(n, e.delay()), n -> engine.slowDisk(n, Duration.ZERO), "restoring the disk");
      }
      default -> {
        // stop and start below
      }
    }
    List<String> nodes = switch (e.action()) {
      case "kill-leader" -> List.of(engine.leader(0).orElseThrow(() -> new IllegalStateException("shard 0 has no leader to kill")));
      case "kill-node" -> List.of(follower(0));
      default -> engine.nodes();
    };
    List<String> stopped = new ArrayList<>();
    String error = null;
    try {
      for (String n : nodes) {
        engine.stopNode(n);
        stopped.add(n);
      }
      long down = e.down().toNanos();
      if (down > 0) {
        TimeUnit.NANOSECONDS.sleep(down);
      }
    } catch (RuntimeException ex) {
      error = "stopping: " + Harness.describe(ex); // whatever was stopped is started again below
    }
    long r0 = System.nanoTime();
    // all at once: a node may not finish starting until a quorum is back
    List<CompletableFuture<Void>> starting = new ArrayList<>();
    for (String n : stopped) {
      starting.add(CompletableFuture.runAsync(() -> engine.startNode(n)));
    }
    try {
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
    } catch (RuntimeException ex) {
      error = (error == null ? "" : error + "; ") + "starting: " + Harness.describe(ex);
    }
    return new Happened(at, e.name(), nodes, e.down().toNanos() / 1e9, (System.nanoTime() - r0) / 1e9, error);
  }

  /** A member of the shard that does not lead it (the first by id); its leader must be known, or one could not tell. */
  private String follower(int shard) {
    String leader = engine.leader(shard).orElseThrow(() -> new IllegalStateException("shard " + shard + " has no leader: no follower to tell apart"));
    return engine.members(shard).stream().filter(n -> !n.equals(leader)).findFirst()
        .orElseThrow(() -> new IllegalStateException("shard " + shard + " has no follower"));
  }

  private String leader0(Event e) {
    return engine.leader(0).orElseThrow(() -> new IllegalStateException("shard 0 has no leader to " + e.action()));
  }

  /**
   * Does {@code start} to the nodes (freeze, cut off, slow down), waits DOWN, then {@code undo} to
   * each of those it was done to; the "restart" time is how long the undo took.
   */
  private Happened disturb(Event e, double at, List<String> nodes, Consumer<String> start, Consumer<String> undo, String undoing) {
    List<String> done = new ArrayList<>();
    String error = null;
    try {
      for (String n : nodes) {
        start.accept(n);
        done.add(n);
      }
    } catch (RuntimeException ex) {
      error = Harness.describe(ex); // what was done is undone below
    }
    boolean interrupted = false;
    try {
      TimeUnit.NANOSECONDS.sleep(e.down().toNanos());
    } catch (InterruptedException ie) {
      interrupted = true; // the node is resumed all the same
    }
    long r0 = System.nanoTime();
    for (String n : done) {
      try {
        undo.accept(n);
      } catch (RuntimeException ex) {
        error = (error == null ? "" : error + "; ") + undoing + " " + n + ": " + Harness.describe(ex);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return new Happened(at, e.name(), nodes, e.down().toNanos() / 1e9, (System.nanoTime() - r0) / 1e9, error);
  }

  static String describe(Happened h) {
    if (h.placement() != null) {
      Coordinator.Outcome o = h.placement();
      String bytes = o.bytesMoved() == null || o.replicasMoved() == 0 ? ""
          : String.format(Locale.ROOT, ", %.1f MiB", o.bytesMoved() / 1048576.0);
      return String.format(Locale.ROOT, "%s %s at %.1f s, %s done in %.1f s: %d replicas moved (ideal %d)%s, %d leaders moved;"
          + " replicas per node %s, leaders %s", h.action(), o.node() == null ? "" : o.node(), h.atSeconds(), o.coordinator(), o.seconds(), o.replicasMoved(),
          o.idealMoves(), bytes, o.leadersMoved(), o.replicasPerNode(), o.leadersPerNode());
    }
    String[] verbs = h.action().startsWith("pause-") ? new String[] {"frozen", "resumed"}
        : h.action().startsWith("partition-") ? new String[] {"cut off", "reconnected"}
        : h.action().startsWith("slow-disk") ? new String[] {"slowed", "restored"}
        : new String[] {"down", "restarted"};
    return String.format(Locale.ROOT, "%s %s at %.1f s, %s %.1f s, %s in %.1f s%s", h.action(), String.join(",", h.nodes()),
        h.atSeconds(), verbs[0], h.downSeconds(), verbs[1], h.restartSeconds(), h.error() == null ? "" : " (failed: " + h.error() + ")");
  }
}
