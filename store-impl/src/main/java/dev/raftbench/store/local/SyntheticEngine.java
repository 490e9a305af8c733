package dev.raftbench.store.local;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Requests queue for the first free of {@code servers} servers and are answered after a service
 * time drawn from the configured distribution; during a stall no server serves. The answer is
 * given by one clock thread that sleeps until shortly before a request is due, then spins, so a
 * 1 ms service time is answered within microseconds of 1 ms.
 */
final class SyntheticEngine implements Engine {
  /** Sleep until this long before a completion is due, then spin (parkNanos overshoots by tens of µs). */
  private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(300);
  private static final Reply FOUND = new Reply.Found(Record.empty());
  private static final Reply NO_ROWS = new Reply.Rows(List.of());

  /** Service time in nanoseconds. */
  interface Delay {
    long sample(SplittableRandom random);
  }

  record Settings(String latencySpec, Delay latency, int servers, long stallAtNanos, long stallForNanos, long seed) {
    static final Map<String, String> DEFAULTS = Map.of("latency", "fixed:1ms", "servers", "64", "stall", "none", "seed", "1");
    private static final Pattern STALL = Pattern.compile("([^:]+):([^:]+)");

    static Settings parse(Map<String, String> options) {
      Map<String, String> o = new TreeMap<>(DEFAULTS);
      for (Map.Entry<String, String> e : options.entrySet()) {
        if (!DEFAULTS.containsKey(e.getKey())) {
          throw new IllegalArgumentException("unknown synthetic option '" + e.getKey() + "' (known: latency, servers, stall, seed)");
        }
        o.put(e.getKey(), e.getValue().trim());
      }
      Delay latency = delay(o.get("latency"));
      int servers;
      long seed;
      try {
        servers = Integer.parseInt(o.get("servers"));
        seed = Long.parseLong(o.get("seed"));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("synthetic options servers and seed take integers, got servers=" + o.get("servers") + " seed=" + o.get("seed"));
      }
      if (servers <= 0) {
        throw new IllegalArgumentException("synthetic option servers must be positive, was " + servers);
      }
      long at = -1;
      long length = 0;
      if (!o.get("stall").equals("none")) {
        Matcher m = STALL.matcher(o.get("stall"));
        if (!m.matches()) {
          throw new IllegalArgumentException("synthetic option stall takes AT:FOR, e.g. 10s:2s (at 10 s into the measured phase, for 2 s), got " + o.get("stall"));
        }
        at = nanos(m.group(1));
        length = nanos(m.group(2));
        if (length <= 0) {
          throw new IllegalArgumentException("a stall must last longer than 0, got " + o.get("stall"));
        }
      }
      return new Settings(o.get("latency"), latency, servers, at, length, seed);
    }

    private static Delay delay(String spec) {
      String[] p = spec.split(":");
      try {
        switch (p[0]) {
          case "fixed" -> {
            require(p.length == 2, spec);
            long d = nanos(p[1]);
            return r -> d;
          }
          case "uniform" -> {
            require(p.length == 3, spec);
            long lo = nanos(p[1]);
            long hi = nanos(p[2]);
            require(hi >= lo, spec);
            return r -> lo + (hi == lo ? 0 : r.nextLong(hi - lo + 1));
          }
          case "lognormal" -> {
            require(p.length == 3, spec);
            double mu = Math.log(nanos(p[1]));
            double sigma = Double.parseDouble(p[2]);
            require(sigma >= 0 && Double.isFinite(sigma), spec);
            return r -> Math.max(1, Math.round(Math.exp(mu + sigma * gaussian(r))));
          }
          default -> throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("synthetic option latency takes fixed:D, uniform:MIN:MAX or lognormal:MEDIAN:SIGMA"
            + " (durations like 500us, 1ms, 0.2s), got '" + spec + "'");
      }
    }

    private static void require(boolean ok, String spec) {
      if (!ok) {
        throw new IllegalArgumentException(spec);
      }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s)");

    static long nanos(String s) {
      Matcher m = DURATION.matcher(s.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("'" + s + "' is not a duration (e.g. 500us, 1ms, 2s)");
      }
      double v = Double.parseDouble(m.group(1));
      double unit = switch (m.group(2)) {
        case "ns" -> 1;
        case "us" -> 1e3;
        case "ms" -> 1e6;
        default -> 1e9;
      };
      return Math.round(v * unit);
    }

    /** Box-Muller: SplittableRandom has no nextGaussian on Java 17. */
    private static double gaussian(SplittableRandom r) {
      double u = 1.0 - r.nextDouble();
      double v = r.nextDouble();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
  }

  private record Pending(long arrived, long due, long seq, CompletableFuture<Reply> future, Reply reply) implements Comparable<Pending> {
    @Override
    public int compareTo(Pending o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final int shards;
  private final Settings settings;
  private final SplittableRandom random;
  private final long[] serverFreeAt;
  private final PriorityQueue<Pending> queue = new PriorityQueue<>();
  private final Thread clock;
  private long seq;
  private volatile long stallStart = Long.MAX_VALUE;
  private volatile long stallEnd = Long.MAX_VALUE;
  private volatile boolean closed;
  /** From a request's arrival to its answer, as this engine gave it; written by the clock thread alone. */
  private final SingleWriterRecorder delivered = new SingleWriterRecorder(3);
  /** How late the clock answered: from the time a request was due to its answer. */
  private final SingleWriterRecorder late = new SingleWriterRecorder(3);

  SyntheticEngine(int shards, Settings settings) {
    this.shards = shards;
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.serverFreeAt = new long[settings.servers()];
    this.clock = new Thread(this::runClock, "raftbench-synthetic-clock");
    clock.setDaemon(true);
    clock.start();
  }

  @Override
  public void measuredPhaseStarted() {
    delivered.reset();
    late.reset();
    if (settings.stallAtNanos() >= 0) {
      long start = System.nanoTime() + settings.stallAtNanos();
      stallEnd = start + settings.stallForNanos();
      stallStart = start;
    }
  }

  private CompletableFuture<Reply> submit(Reply reply) {
    if (closed) {
      return CompletableFuture.failedFuture(new EngineException("synthetic engine is closed", false));
    }
    CompletableFuture<Reply> f = new CompletableFuture<>();
    long now = System.nanoTime();
    boolean newHead;
    synchronized (queue) {
      if (closed) { // checked under the lock the clock's last drain takes: nothing is enqueued after it
        return CompletableFuture.failedFuture(new EngineException("synthetic engine is closed", false));
      }
      int server = 0;
      for (int i = 1; i < serverFreeAt.length; i++) {
        if (serverFreeAt[i] < serverFreeAt[server]) {
          server = i;
        }
      }
      long start = Math.max(now, serverFreeAt[server]);
      long s0 = stallStart;
      long s1 = stallEnd;
      if (start >= s0 && start < s1) {
        start = s1; // arrived during the stall: served after it
      }
      long end = start + settings.latency().sample(random);
      if (start < s0 && end > s0) {
        end += s1 - s0; // in service when the stall began: finishes that much later
      }
      serverFreeAt[server] = end;
      Pending p = new Pending(now, end, seq++, f, reply);
      queue.add(p);
      newHead = queue.peek() == p;
    }
    if (newHead) {
      LockSupport.unpark(clock);
    }
    return f;
  }

  private void runClock() {
    List<Pending> ready = new ArrayList<>();
    while (!closed) {
      Pending head;
      synchronized (queue) {
        head = queue.peek();
      }
      if (head == null) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        continue;
      }
      long wait = head.due() - System.nanoTime();
      if (wait > SPIN_NANOS) {
        LockSupport.parkNanos(wait - SPIN_NANOS); // woken early if an earlier request arrives
        continue;
      }
      while (System.nanoTime() < head.due()) {
        Thread.onSpinWait();
      }
      long now = System.nanoTime();
      synchronized (queue) {
        while (!queue.isEmpty() && queue.peek().due() <= now) {
          ready.add(queue.poll());
        }
      }
      for (Pending p : ready) {
        long answered = System.nanoTime();
        delivered.recordValue(Math.max(1, answered - p.arrived()));
        late.recordValue(Math.max(1, answered - p.due()));
        p.future().complete(p.reply());
      }
      ready.clear();
    }
    List<Pending> left;
    synchronized (queue) {
      left = new ArrayList<>(queue);
      queue.clear();
    }
    for (Pending p : left) {
      p.future().completeExceptionally(new EngineException("synthetic engine is closed", false));
    }
  }

  /**
   * The truth the harness is checked against: the service this engine delivered in the measured
   * phase (arrival to answer, stalls and queueing included, and the lateness of its own clock),
   * and that lateness alone (nanoseconds; the bundle gives their count and percentiles).
   */
  @Override
  public Map<String, Object> measuredPhaseEnded() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("delivered", delivered.getIntervalHistogram());
    m.put("clock_late", late.getIntervalHistogram());
    return m;
  }

  @Override
  public String name() {
    return "synthetic";
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public List<String> nodes() {
    return List.of("synthetic-0");
  }

  @Override
  public CompletableFuture<Reply> write(int shard, Command.Write write) {
    return submit(Reply.DONE);
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    return submit(read instanceof Command.Scan ? NO_ROWS : FOUND);
  }

  @Override
  public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
    return read(shard, read);
  }

  @Override
  public Optional<String> leader(int shard) {
    return Optional.of("synthetic-0");
  }

  @Override
  public List<String> members(int shard) {
    return List.of("synthetic-0");
  }

  @Override
  public void stopNode(String node) {
    throw new UnsupportedCapabilityException("synthetic", Capability.NODE_STOP_START);
  }

  @Override
  public void startNode(String node) {
    throw new UnsupportedCapabilityException("synthetic", Capability.NODE_STOP_START);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LockSupport.unpark(clock);
    try {
      clock.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
