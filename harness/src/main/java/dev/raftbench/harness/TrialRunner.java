package dev.raftbench.harness;

import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.Partitioner;
import dev.raftbench.store.shard.Partitioners;
import dev.raftbench.workloads.Operation;
import dev.raftbench.workloads.OperationType;
import dev.raftbench.workloads.Workload;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Runs one trial in this JVM: start the cluster, load the records, warm up (discarded), measure
 * for the duration in one-second intervals, drain, close the cluster. Closed loop: each worker
 * thread keeps up to {@code inflight} asynchronous operations outstanding.
 */
final class TrialRunner {
  private static final long DRAIN_SECONDS = 120;
  private static final java.time.Duration LOAD_STALL = java.time.Duration.ofSeconds(60);
  /** Tag suffix of the service-time histograms in latency.hlog (open loop). */
  static final String SERVICE_TAG = ".service";
  /** Open loop: sleep until this long before an intended start, then spin (parkNanos overshoots by tens of µs); see awaitStart. */
  private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(300);

  private final RunSpec spec;
  private final PrintWriter progress;
  private final boolean live;
  private final Map<OperationType, String> sampleErrors = new ConcurrentHashMap<>();
  /** Open loop: how late the measured phase's sends were against their intended starts, every type together. */
  private final Histogram sendLag = OpMetrics.newHistogram();
  /** dataintegrity: checks reads of the measured phase against the values their keys imply; null otherwise. */
  private volatile Workload integrity;
  private final LongAdder integrityChecked = new LongAdder();
  /** Every write of the load and the run, for the verify phase; null when it is off. */
  private WriteLedger ledger;
  /** The fault events of the measured phase and the gaps they leave; null without events. */
  private volatile Faults faults;
  /** When the trial's cluster was up (System.nanoTime). */
  private long clusterUp;
  /** Every single-key operation, for the linearizability check; null when it is off. */
  private History history;
  private final LongAdder integrityFailed = new LongAdder();

  /**
   * @param progress where progress lines go; null for none
   * @param live whether to write status lines each second too ({@link Progress}: they end on a terminal)
   */
  TrialRunner(RunSpec spec, PrintWriter progress, boolean live) {
    this.spec = spec;
    this.progress = progress;
    this.live = live && progress != null;
  }

  TrialResult run() throws Exception {
    Files.createDirectories(spec.out());
    Instant startedAt = Instant.now();
    Map<String, Object> environment = Environment.describe();
    Workload workload = new Workload(spec.workload());
    EngineProvider provider = Engines.byName(spec.engine());

    TrialResult.NoiseFloor noiseFloor = measureNoiseFloor();
    ledger = spec.verify() && provider.storesData() ? new WriteLedger(WriteLedger.strideFor(expectedKeys(spec.workload()))) : null;
    history = spec.checkLinearizability() && provider.storesData() ? new History() : null;
    say("starting %s/%s: %d nodes (%s), %d shards, %s log", spec.engine(), spec.cluster().transport(), spec.cluster().nodes(),
        spec.cluster().cluster().label(), spec.cluster().shards(), spec.cluster().log().name().toLowerCase());
    long t0 = System.nanoTime();
    List<String> sample = Partitioners.needsKeySample(spec.hashing()) ? workload.keySample(100_000) : List.of();
    Partitioner partitioner = Partitioners.create(spec.hashing(), spec.partitionerSpec(sample));
    try (Engine engine = startCluster(provider);
         ShardedKvClient client = new ShardedKvClient(engine, partitioner, spec.retryPolicy());
         Coordinator coordinator = movesShards(spec) ? startCoordinator(engine, provider) : null) {
      double clusterStart = seconds(clusterUp - t0); // the pd's own group not counted
      say("cluster up in %.1f s; loading %,d records with %d threads", clusterStart, workload.loadCount(), spec.threads());

      List<Workload.Generator> generators = new ArrayList<>();
      for (int w = 0; w < spec.threads(); w++) {
        generators.add(workload.generator(spec.seed(), w));
      }

      // load
      OpMetrics loadMetrics = new OpMetrics(EnumSet.of(OperationType.INSERT), false);
      long l0 = System.nanoTime();
      Phase load = new Phase(client, generators, loadMetrics, Workload.Generator::nextLoad, false, ledger, true); // as fast as it goes
      load.start();
      awaitLoad(load, loadMetrics);
      double loadSeconds = seconds(System.nanoTime() - l0);
      long loadErrors = loadMetrics.failed(OperationType.INSERT) + loadMetrics.notFound(OperationType.INSERT);
      long loaded = loadMetrics.successes(OperationType.INSERT);
      say("loaded %,d records in %.1f s (%,.0f inserts/s, %d errors)", loaded, loadSeconds, loaded / Math.max(loadSeconds, 1e-9), loadErrors);
      if (loaded == 0) {
        throw new IllegalStateException("load phase stored no record (" + loadErrors + " errors"
            + sampleErrors.values().stream().findFirst().map(e -> ", e.g. " + e).orElse("") + ")");
      }
      sampleErrors.clear();

      // warm-up and measurement: one continuous run, the boundary drawn by the interval recorders
      EnumSet<OperationType> types = EnumSet.noneOf(OperationType.class);
      types.addAll(spec.workload().proportions().keySet());
      OpMetrics metrics = new OpMetrics(types, spec.openLoop());
      integrity = spec.workload().dataIntegrity ? workload : null;
      Phase run = new Phase(client, generators, metrics, Workload.Generator::next, spec.openLoop(), ledger, true);
      run.start();
      try {
        Warmup.Outcome warmed = warmUp(metrics, types);
        engine.measuredPhaseStarted();
        // the log's base time precedes the first interval's start, so HdrHistogram's own tools keep it
        long startMillis = System.currentTimeMillis();
        Map<OperationType, Histogram> totals = new EnumMap<>(OperationType.class);
        Map<OperationType, Histogram> serviceTotals = new EnumMap<>(OperationType.class);
        Map<OperationType, long[]> errorBase = new EnumMap<>(OperationType.class);
        metrics.swap(); // discard the warm-up
        for (OperationType t : types) {
          totals.put(t, OpMetrics.newHistogram());
          serviceTotals.put(t, OpMetrics.newHistogram());
          errorBase.put(t, new long[] {metrics.notFound(t), metrics.failed(t)});
        }
        sampleErrors.clear();
        long windowWaitsBefore = run.windowWaits.sum();
        long scansBefore = client.scans();
        long visitsBefore = client.scanShardVisits();
        List<TrialResult.Interval> intervals = new ArrayList<>();
        say("measuring for %s", human(spec.duration()));
        long m0 = System.nanoTime();
        long end = m0 + spec.duration().toNanos();
        if (!spec.events().isEmpty()) {
          Faults f = new Faults(spec.events(), engine, coordinator);
          f.start(m0, end);
          faults = f;
        }
        long measuredNanos;
        Map<String, Object> engineReport;
        try (PrintStream hlog = new PrintStream(new FileOutputStream(spec.out().resolve("latency.hlog").toFile()), false, "UTF-8")) {
          HistogramLogWriter writer = new HistogramLogWriter(hlog);
          writer.outputComment("RaftBench latency log: one tag per operation type, values in nanoseconds");
          writer.outputLogFormatVersion();
          writer.outputStartTime(startMillis);
          writer.setBaseTime(startMillis);
          writer.outputLegend();
          Map<OperationType, long[]> lastErrors = new EnumMap<>(OperationType.class);
          errorBase.forEach((t, b) -> lastErrors.put(t, b.clone()));
          long tick = m0;
          long nextReport = m0 + TimeUnit.SECONDS.toNanos(10);
          while (true) {
            long now = System.nanoTime();
            if (now >= end) {
              break;
            }
            long next = Math.min(end, tick + TimeUnit.SECONDS.toNanos(1));
            TimeUnit.NANOSECONDS.sleep(next - now);
            long swap = System.nanoTime();
            snapshot(metrics, types, writer, totals, serviceTotals, lastErrors, intervals, seconds(tick - m0), seconds(swap - tick));
            tick = swap;
            status("%s", progressLine(intervals, seconds(tick - m0), 1));
            if (tick >= nextReport && tick < end) {
              say("%s", progressLine(intervals, seconds(tick - m0), 10));
              nextReport += TimeUnit.SECONDS.toNanos(10);
            }
          }
          measuredNanos = System.nanoTime() - m0;
          run.stop();
          run.join();
          if (faults != null) {
            faults.finish(m0 + measuredNanos); // waits for an event still running (a node still down is started again) before verify
            faults.happened().forEach(h -> say("event: %s", Faults.describe(h)));
          }
          engineReport = engine.measuredPhaseEnded();
          // operations sent inside the window that completed after it
          snapshot(metrics, types, writer, totals, serviceTotals, lastErrors, intervals, seconds(tick - m0), seconds(System.nanoTime() - tick));
          hlog.flush();
          if (hlog.checkError()) {
            throw new IOException("writing " + spec.out().resolve("latency.hlog") + " failed");
          }
        }
        Map<OperationType, TrialResult.OpTotals> ops = new EnumMap<>(OperationType.class);
        for (OperationType t : types) {
          long[] base = errorBase.get(t);
          ops.put(t, new TrialResult.OpTotals(totals.get(t), spec.openLoop() ? serviceTotals.get(t) : null,
              metrics.notFound(t) - base[0], metrics.failed(t) - base[1],
              sampleErrors.get(t)));
        }
        TrialResult.Integrity checked = spec.workload().dataIntegrity
            ? new TrialResult.Integrity(integrityChecked.sum(), integrityFailed.sum()) : null;
        TrialResult.OpenLoop openLoop = spec.openLoop()
            ? new TrialResult.OpenLoop(run.windowWaits.sum() - windowWaitsBefore, run.dueUnsent.sum(), sendLag) : null;
        long retries = client.retries(); // before the verify phase's reads
        long staleEpochRetries = client.staleEpochRetries();
        TrialResult.Verify verify = load.undrained || run.undrained
            ? TrialResult.Verify.skipped("operations were still outstanding after the drain deadline: a late write could not be told from a lost one")
            : verify(client, provider);
        TrialResult.Linearizable lin = checkLinearizability(load.undrained || run.undrained);
        say("closing the cluster");
        return new TrialResult(spec, environment, startedAt, clusterStart, engine.settings(), new TrialResult.Load(loaded, loadErrors, loadSeconds),
            warmed, seconds(measuredNanos), ops, retries, staleEpochRetries, client.scans() - scansBefore, client.scanShardVisits() - visitsBefore, intervals,
            noiseFloor, openLoop, checked, verify, lin,
            faults == null ? null : new TrialResult.Availability(faults.happened(), faults.maxGapMillis()), engineReport);
      } finally {
        run.stop(); // whatever went wrong, no worker keeps sending to a cluster being closed
      }
    }
  }

  /** Starts the trial's cluster and notes when it was up ({@link #clusterUp}). */
  private Engine startCluster(EngineProvider provider) throws Exception {
    Engine engine = spec.httpClient() ? new HttpClientEngine(spec.clusterFile()) : provider.start(spec.cluster());
    clusterUp = System.nanoTime();
    return engine;
  }

  /** Whether an event moves shards or leaders (then the run's coordinator does it). */
  private static boolean movesShards(RunSpec spec) {
    return spec.events().stream().anyMatch(e -> Coordinator.ACTIONS.contains(e.action()));
  }

  private Coordinator startCoordinator(Engine engine, EngineProvider provider) throws Exception {
    long t0 = System.nanoTime();
    Coordinator c = Coordinator.create(spec.coordinator(), engine, provider, spec.cluster());
    if (c instanceof PlacementDriver pd) {
      say("placement driver up in %.1f s: %s", seconds(System.nanoTime() - t0), pd.group().description());
    }
    return c;
  }

  /** Search steps per key before the checker gives up on it (result unknown). */
  static final long LINEARIZABILITY_STEPS_PER_KEY = 500_000;

  private TrialResult.Linearizable checkLinearizability(boolean undrained) {
    if (history == null) {
      return null;
    }
    List<Linearizability.Op> ops = history.ops();
    say("checking linearizability: %,d operations%s", ops.size(), undrained ? " (an undrained run: operations never answered count as unknown)" : "");
    long t0 = System.nanoTime();
    Linearizability.Verdict v = Linearizability.check(ops, LINEARIZABILITY_STEPS_PER_KEY);
    double secs = seconds(System.nanoTime() - t0);
    say("linearizability: %s (%,d keys, %,d operations, %.1f s)", v.result().name().toLowerCase(java.util.Locale.ROOT), v.keys(),
        v.operations(), secs);
    return new TrialResult.Linearizable(v, history, secs);
  }

  /**
   * Reads back every key written (64 reads in flight) and checks each field against the writes
   * the ledger holds; a read that fails is counted apart from a lost write.
   */
  private TrialResult.Verify verify(ShardedKvClient client, EngineProvider provider) throws InterruptedException {
    if (ledger == null) {
      return TrialResult.Verify.skipped(!spec.verify() ? "--no-verify" : "the " + provider.name() + " engine stores nothing");
    }
    List<String> keys = ledger.keysToCheck();
    say("verifying: reading back %,d keys written (%,d acknowledged writes%s)", keys.size(), ledger.acknowledgedWrites(),
        ledger.stride() > 1 ? ", one key in " + ledger.stride() : "");
    long v0 = System.nanoTime();
    Map<String, String> mismatched = read(client, keys);
    if (!mismatched.isEmpty()) {
      // a second look, a moment later, at what did not match (a read that is not linearizable may lag)
      Thread.sleep(1000);
      mismatched = read(client, new ArrayList<>(mismatched.keySet()));
    }
    long unreadable = mismatched.values().stream().filter(UNREADABLE::equals).count();
    long lost = mismatched.size() - unreadable;
    List<String> sampleLost = mismatched.entrySet().stream().filter(e -> !UNREADABLE.equals(e.getValue())).limit(5)
        .map(e -> e.getKey() + " (" + e.getValue() + ")").toList();
    double seconds = seconds(System.nanoTime() - v0);
    say("verified %,d keys in %.1f s: %,d lost, %,d unreadable", keys.size() - mismatched.size(), seconds, lost, unreadable);
    return new TrialResult.Verify(true, null, ledger.acknowledgedWrites(), keys.size(), keys.size() - mismatched.size(), lost, unreadable,
        ledger.deletedKeys(), ledger.stride(), sampleLost, seconds);
  }

  private static final String UNREADABLE = "unreadable";

  /** Reads the keys (64 in flight) and returns those not as their writes left them, with why. */
  private Map<String, String> read(ShardedKvClient client, List<String> keys) throws InterruptedException {
    Map<String, String> mismatched = new ConcurrentHashMap<>();
    java.util.Set<String> pending = ConcurrentHashMap.newKeySet();
    Semaphore window = new Semaphore(64);
    for (String key : keys) {
      window.acquire();
      pending.add(key);
      client.get(key, List.of()).whenComplete((reply, error) -> {
        try {
          pending.remove(key);
          if (error != null) {
            mismatched.put(key, UNREADABLE);
            return;
          }
          String field = ledger.check(key, reply instanceof Reply.Found found ? found.record() : null);
          if (field != null) {
            mismatched.put(key, reply instanceof Reply.Found ? field + " holds no value a write left" : "missing");
          }
        } finally {
          window.release();
        }
      });
    }
    if (!window.tryAcquire(64, DRAIN_SECONDS, TimeUnit.SECONDS)) {
      // reads still out: counted as unreadable rather than discarding the measured trial
      for (String key : pending) {
        mismatched.putIfAbsent(key, UNREADABLE);
      }
      say("warning: verify reads still outstanding %d s after the last was sent; the keys not answered count as unreadable", DRAIN_SECONDS);
    }
    return mismatched;
  }

  /** Records the workload may write: the loaded ones and about as many inserts as the run could make. */
  private static long expectedKeys(dev.raftbench.workloads.WorkloadSpec w) {
    return w.recordCount + (long) Math.min(w.operationCount * w.insertProportion, 10_000_000);
  }

  private boolean check(String key, Reply.Found found) {
    integrityChecked.increment();
    if (integrity.verify(key, found.record())) {
      return true;
    }
    integrityFailed.increment();
    return false;
  }

  /** Waits for the load to finish; gives up when no insert has succeeded for LOAD_STALL while some failed. */
  private void awaitLoad(Phase load, OpMetrics loadMetrics) throws InterruptedException {
    long lastProgress = System.nanoTime();
    long lastSuccesses = 0;
    long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long l0 = System.nanoTime();
    while (!load.awaitDone(1000)) {
      long successes = loadMetrics.successes(OperationType.INSERT);
      status("load %.0f s: %,d of %,d records stored, %,d failed", seconds(System.nanoTime() - l0), successes, spec.workload().recordCount,
          loadMetrics.failed(OperationType.INSERT));
      if (System.nanoTime() >= nextReport) {
        say("load: %,d records stored, %,d failed", successes, loadMetrics.failed(OperationType.INSERT));
        nextReport += TimeUnit.SECONDS.toNanos(10);
      }
      if (successes != lastSuccesses) {
        lastSuccesses = successes;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > LOAD_STALL.toNanos() && loadMetrics.failed(OperationType.INSERT) > 0) {
        load.stop();
        throw new IllegalStateException(String.format("load phase stalled: no insert succeeded for %d s (%d stored, %d failed%s)",
            LOAD_STALL.toSeconds(), successes, loadMetrics.failed(OperationType.INSERT),
            sampleErrors.values().stream().findFirst().map(e -> ", e.g. " + e).orElse("")));
      }
    }
    load.join();
  }

  /**
   * Swaps every recorder's interval into the log and the totals. The interval histograms are
   * handed back to their recorders to be reused: no histogram (hundreds of KB each) is allocated
   * per second while measuring, which keeps the GC out of the measurement.
   */
  private void snapshot(OpMetrics metrics, EnumSet<OperationType> types, HistogramLogWriter writer, Map<OperationType, Histogram> totals,
      Map<OperationType, Histogram> serviceTotals, Map<OperationType, long[]> lastErrors, List<TrialResult.Interval> intervals,
      double start, double length) {
    metrics.swap();
    for (OperationType t : types) {
      Histogram h = metrics.latency(t);
      h.setTag(t.ycsbName());
      writer.outputIntervalHistogram(h);
      totals.get(t).add(h);
      if (spec.openLoop()) {
        Histogram service = metrics.service(t);
        service.setTag(t.ycsbName() + SERVICE_TAG);
        writer.outputIntervalHistogram(service);
        serviceTotals.get(t).add(service);
        sendLag.add(metrics.sendLag(t));
      }
      long[] last = lastErrors.get(t);
      long nf = metrics.notFound(t);
      long f = metrics.failed(t);
      long errors = (nf - last[0]) + (f - last[1]);
      last[0] = nf;
      last[1] = f;
      boolean any = h.getTotalCount() > 0;
      intervals.add(new TrialResult.Interval(start, length, t, h.getTotalCount(), any ? h.getValueAtPercentile(50) : 0,
          any ? h.getValueAtPercentile(99) : 0, any ? h.getMaxValue() : 0, errors));
    }
  }

  /**
   * The measured phase so far: elapsed and left, and the ops/s and worst p99 of the intervals that
   * began in the last {@code window} seconds (the 10 s lines, and each second's status line).
   */
  private String progressLine(List<TrialResult.Interval> intervals, double elapsed, int window) {
    long ops = 0;
    long worst = 0;
    double lastStart = intervals.isEmpty() ? 0 : intervals.get(intervals.size() - 1).startSeconds();
    for (TrialResult.Interval i : intervals) {
      if (i.startSeconds() > lastStart - window) {
        ops += i.operations();
        worst = Math.max(worst, i.p99Nanos());
      }
    }
    double seconds = Math.min(window, elapsed);
    return String.format("measure %.0f/%d s (%.0f s left): %,.0f ops/s, p99 %.2f ms (last %s)", elapsed, spec.duration().toSeconds(),
        Math.max(0, spec.duration().toSeconds() - elapsed), ops / Math.max(seconds, 1e-9), worst / 1e6, window == 1 ? "second" : window + " s");
  }

  /** The warm-up: a fixed sleep, or blocks until the rate levels ({@link Warmup}); what it recorded is discarded after. */
  private Warmup.Outcome warmUp(OpMetrics metrics, EnumSet<OperationType> types) throws InterruptedException {
    Warmup w = spec.warmup();
    if (!w.auto()) {
      if (!w.max().isZero()) {
        say("warming up for %s", human(w.max()));
        long w0 = System.nanoTime();
        long done = successes(metrics, types);
        sleepShowing(w0 + w.max().toNanos(), () -> String.format("warm-up %.0f/%d s: %,.0f ops/s", seconds(System.nanoTime() - w0),
            w.max().toSeconds(), (successes(metrics, types) - done) / Math.max(seconds(System.nanoTime() - w0), 1e-9)));
      }
      return new Warmup.Outcome(w, w.max().toMillis() / 1000.0, false, List.of());
    }
    say("warming up until the %s levels (%d windows of 2 x %s, each within %d %% of the one before), at most %s",
        spec.openLoop() ? "median service time" : "throughput", Warmup.WINDOWS, human(w.block()), Warmup.TOLERANCE_PERCENT, human(w.max()));
    List<Warmup.Block> blocks = new ArrayList<>();
    Histogram service = spec.openLoop() ? OpMetrics.newHistogram() : null;
    long w0 = System.nanoTime();
    long end = w0 + w.max().toNanos();
    long tick = w0;
    long done = successes(metrics, types);
    long jitMillis = JitMeter.compilerCpuMillis();
    while (true) {
      long next = Math.min(end, tick + w.block().toNanos());
      long blockStart = tick;
      long blockDone = done;
      sleepShowing(next, () -> String.format("warm-up %.0f s (at most %d): %,.0f ops/s in this block", seconds(System.nanoTime() - w0),
          w.max().toSeconds(), (successes(metrics, types) - blockDone) / Math.max(seconds(System.nanoTime() - blockStart), 1e-9)));
      long now = System.nanoTime();
      long doneNow = successes(metrics, types);
      Double p50 = null;
      if (service != null) {
        service.reset();
        metrics.swap();
        for (OperationType t : types) {
          service.add(metrics.service(t));
        }
        p50 = service.getTotalCount() == 0 ? 0.0 : service.getValueAtPercentile(50) / 1000.0;
      }
      long jitNow = JitMeter.compilerCpuMillis();
      // a compiler thread that ended takes its CPU time along: never below 0
      Warmup.Block b = new Warmup.Block(Math.round(seconds(now - w0) * 1000) / 1000.0, (doneNow - done) / Math.max(seconds(now - tick), 1e-9), p50,
          jitNow < 0 ? null : Math.max(0, jitNow - jitMillis));
      jitMillis = jitNow;
      blocks.add(b);
      say("warm-up %.1f s: %,.0f ops/s%s%s", b.endSeconds(), b.opsPerSecond(), p50 == null ? "" : String.format(", service p50 %.2f ms", p50 / 1000),
          b.jitMillis() == null ? "" : String.format(", JIT compilers %,d ms of CPU", b.jitMillis()));
      tick = now;
      done = doneNow;
      if (w.warm(blocks)) {
        say("warm-up levelled after %.1f s", b.endSeconds());
        return new Warmup.Outcome(w, b.endSeconds(), true, List.copyOf(blocks));
      }
      if (now >= end) {
        say("warm-up did not level in %s: measuring anyway (the bundle says so)", human(w.max()));
        return new Warmup.Outcome(w, b.endSeconds(), false, List.copyOf(blocks));
      }
    }
  }

  private static long successes(OpMetrics metrics, EnumSet<OperationType> types) {
    long n = 0;
    for (OperationType t : types) {
      n += metrics.successes(t);
    }
    return n;
  }

  /** Sleeps until the given time (System.nanoTime), showing the status each second when live. */
  private void sleepShowing(long until, java.util.function.Supplier<String> status) throws InterruptedException {
    while (true) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(live ? Math.min(left, TimeUnit.SECONDS.toNanos(1)) : left);
      if (live && until - System.nanoTime() > 0) {
        status("%s", status.get());
      }
    }
  }

  /** A status line (shown in place on a terminal, each second), when live. */
  private void status(String format, Object... args) {
    if (live) {
      progress.println(Progress.STATUS + "[raftbench] " + String.format(format, args));
      progress.flush();
    }
  }

  private void say(String format, Object... args) {
    if (progress != null) {
      progress.println("[raftbench] " + String.format(format, args));
      progress.flush();
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static String human(java.time.Duration d) {
    return DurationConverter.human(d);
  }

  /**
   * One worker's intended start times in open loop: the target rate split evenly over the workers,
   * gaps constant (uniform) or exponential (poisson), workers offset so their starts interleave.
   */
  private final class Schedule {
    private final double meanGapNanos;
    private final boolean poisson;
    private final SplittableRandom random;
    private double next;

    Schedule(long begin, int worker) {
      this.meanGapNanos = 1e9 * spec.threads() / spec.target();
      this.poisson = spec.arrivals().equals("poisson");
      this.random = new SplittableRandom(spec.seed() * 31 + worker);
      this.next = begin + meanGapNanos * worker / spec.threads();
    }

    long peek() {
      return (long) next;
    }

    long next() {
      long t = (long) next;
      next += poisson ? -meanGapNanos * Math.log(1.0 - random.nextDouble()) : meanGapNanos;
      return t;
    }
  }

  /**
   * The harness' own latency: the same workload, workers and loop against {@code noop}, before
   * the cluster starts (null when not measured).
   */
  private TrialResult.NoiseFloor measureNoiseFloor() throws Exception {
    if (spec.noiseFloor().isZero()) {
      return null;
    }
    // a workload of its own: inserts it acknowledges must not move the trial's "latest" keys
    Workload workload = new Workload(spec.workload());
    say("noise floor: the same client against noop for %s", human(spec.noiseFloor()));
    EngineProvider noop = Engines.byName("noop");
    EnumSet<OperationType> types = EnumSet.noneOf(OperationType.class);
    types.addAll(spec.workload().proportions().keySet());
    OpMetrics metrics = new OpMetrics(types, spec.openLoop());
    EngineSpec c = spec.cluster();
    EngineSpec noopSpec = new EngineSpec(1, c.shards(), 1, c.placement(), noop.defaultTransport(), c.log(), c.fsync(), c.reads(), null, Map.of());
    Partitioner partitioner = Partitioners.create(spec.hashing(),
        spec.partitionerSpec(Partitioners.needsKeySample(spec.hashing()) ? workload.keySample(100_000) : List.of()));
    try (Engine engine = noop.start(noopSpec);
         ShardedKvClient client = new ShardedKvClient(engine, partitioner, spec.retryPolicy())) {
      List<Workload.Generator> generators = new ArrayList<>();
      for (int w = 0; w < spec.threads(); w++) {
        generators.add(workload.generator(spec.seed() + 0x5eedL, w));
      }
      Phase phase = new Phase(client, generators, metrics, Workload.Generator::next, spec.openLoop(), null, false);
      long t0 = System.nanoTime();
      phase.start();
      try {
        Thread.sleep(spec.noiseFloor().toMillis());
      } finally {
        phase.stop();
      }
      phase.join();
      double seconds = seconds(System.nanoTime() - t0);
      Histogram all = OpMetrics.newHistogram();
      long operations = 0;
      metrics.swap();
      for (OperationType t : types) {
        Histogram h = metrics.latency(t);
        all.add(h);
        operations += h.getTotalCount() + metrics.failed(t) + metrics.notFound(t);
      }
      sampleErrors.clear();
      return new TrialResult.NoiseFloor(seconds, operations, all);
    }
  }

  /** Worker threads, each keeping a window of operations in flight, until the source runs dry or stop(). */
  private final class Phase {
    private final ShardedKvClient client;
    private final List<Workload.Generator> generators;
    private final OpMetrics metrics;
    private final Function<Workload.Generator, Operation> source;
    private final List<Thread> threads = new ArrayList<>();
    private final boolean open;
    private final boolean spin;
    /** Where this phase's writes are kept for the verify phase; null to keep none. */
    private final WriteLedger writes;
    /** Whether this phase's operations go into the history (the trial's own phases, not the noise floor's). */
    private final boolean record;
    /** Sends that found the worker's window full and waited for a slot (their wait is in the corrected latency). */
    final LongAdder windowWaits = new LongAdder();
    final LongAdder dueUnsent = new LongAdder();
    private volatile long stoppedAt = Long.MAX_VALUE;
    private volatile boolean stopped;
    /** A worker gave up waiting for its operations: some may still complete (and write) later. */
    volatile boolean undrained;

    Phase(ShardedKvClient client, List<Workload.Generator> generators, OpMetrics metrics, Function<Workload.Generator, Operation> source,
        boolean open, WriteLedger writes, boolean record) {
      this.writes = writes;
      this.record = record;
      this.client = client;
      this.generators = generators;
      this.metrics = metrics;
      this.source = source;
      this.open = open;
      this.spin = open && generators.size() < Runtime.getRuntime().availableProcessors();
    }

    void start() {
      long begin = System.nanoTime();
      for (int w = 0; w < generators.size(); w++) {
        Workload.Generator gen = generators.get(w);
        Schedule schedule = open ? new Schedule(begin, w) : null;
        Thread t = new Thread(() -> work(gen, schedule), "raftbench-worker-" + w);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    void stop() {
      if (!stopped) {
        stoppedAt = System.nanoTime();
        stopped = true;
      }
    }

    /** Open loop: operations whose intended start had come when the phase stopped, never sent (a backlog). */
    private void countDueUnsent(Schedule schedule, long intended) {
      long end = stoppedAt;
      if (intended > end) {
        return;
      }
      long n = 1;
      while (schedule.peek() <= end) {
        schedule.next();
        n++;
      }
      dueUnsent.add(n);
    }

    /** True once every worker has finished, waiting up to the given time. */
    boolean awaitDone(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      for (Thread t : threads) {
        t.join(Math.max(1, deadline - System.currentTimeMillis()));
        if (t.isAlive()) {
          return false;
        }
      }
      return true;
    }

    /** Waits for the workers to drain; a worker stuck past the drain deadline is an error, not a hang. */
    void join() throws InterruptedException {
      if (!awaitDone(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS + 10))) {
        throw new IllegalStateException("workers did not finish within " + (DRAIN_SECONDS + 10) + " s of the end of the phase");
      }
    }

    private void work(Workload.Generator gen, Schedule schedule) {
      Semaphore window = new Semaphore(spec.inflight());
      while (!stopped) {
        long intended = schedule == null ? 0 : schedule.next();
        if (schedule != null && !awaitStart(intended)) {
          countDueUnsent(schedule, intended);
          break;
        }
        // open loop: a full window delays the send, never the intended start (no coordinated omission)
        if (!window.tryAcquire()) {
          windowWaits.increment();
          window.acquireUninterruptibly();
        }
        if (stopped) { // the window opened after the end: send nothing more
          window.release();
          if (schedule != null) {
            countDueUnsent(schedule, intended);
          }
          break;
        }
        Operation op = source.apply(gen);
        if (op == null) {
          window.release();
          break;
        }
        issue(op, gen, window, intended);
      }
      try {
        if (!window.tryAcquire(spec.inflight(), DRAIN_SECONDS, TimeUnit.SECONDS)) {
          undrained = true;
          say("warning: operations still outstanding %d s after the end", DRAIN_SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Waits for the intended start: parks, then spins the last stretch, but only while the
     * workers leave a core to spare (spinning workers would take it from the cluster under test;
     * without the spin a late wake-up is counted in the corrected latency). False once stopped.
     */
    private boolean awaitStart(long intended) {
      while (!stopped) {
        long wait = intended - System.nanoTime();
        if (wait <= 0) {
          return true;
        }
        if (!spin || wait > SPIN_NANOS) {
          LockSupport.parkNanos(spin ? wait - SPIN_NANOS : wait);
        } else {
          Thread.onSpinWait();
        }
      }
      return false;
    }

    private void issue(Operation op, Workload.Generator gen, Semaphore window, long intended) {
      long start = System.nanoTime();
      Object sent = history != null && record ? history.begin(op, start) : null;
      Faults gaps = faults;
      // the shard an availability gap is counted on (-1: none counted, no events or a scan)
      int gapShard = gaps != null && record && op.type() != OperationType.SCAN ? client.shardOf(op.key()) : -1;
      if (gapShard >= 0) {
        gaps.asked(gapShard, start);
      }
      CompletableFuture<Reply> f;
      try {
        f = call(op);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      if (f.isDone() && !f.isCompletedExceptionally()) { // answered at once: no dependent future, no callback object
        finished(op, gen, window, intended, start, sent, gaps, gapShard, f.getNow(null), null);
      } else {
        f.whenComplete((reply, error) -> finished(op, gen, window, intended, start, sent, gaps, gapShard, reply, error));
      }
    }

    /** An operation's answer (or failure): the ledger, the history, the availability gaps and the metrics. */
    private void finished(Operation op, Workload.Generator gen, Semaphore window, long intended, long start, Object sent, Faults gaps,
        int gapShard, Reply reply, Throwable error) {
      long end = System.nanoTime();
      long nanos = end - start;
      try {
        if (writes != null) {
          remember(op, start, end, reply, error);
        }
        if (sent != null) {
          history.record(sent, reply, error, end);
        }
        if (gapShard >= 0 && error == null) {
          gaps.succeeded(gapShard, end);
        }
        if (error != null) {
          metrics.recordFailure(op.type());
          sampleErrors.computeIfAbsent(op.type(), t -> Harness.describe(ShardedKvClient.unwrap(error)));
        } else if (reply instanceof Reply.Missing) {
          metrics.recordNotFound(op.type());
        } else if (integrity != null && op.type() == OperationType.READ && reply instanceof Reply.Found found
            && !check(op.key(), found)) {
          metrics.recordFailure(op.type()); // a wrong value is a failed read, as YCSB's verifyRow makes it
          sampleErrors.computeIfAbsent(op.type(), t -> "data integrity: " + op.key() + " holds values its key does not imply");
        } else if (open) {
          metrics.recordSuccess(op.type(), nanos + (start - intended), nanos);
        } else {
          metrics.recordSuccess(op.type(), nanos);
        }
      } finally {
        gen.acknowledge(op);
        window.release();
      }
    }

    /** A write into the ledger: acknowledged when it answered Done, possibly applied when it failed. */
    private void remember(Operation op, long start, long end, Reply reply, Throwable error) {
      if (!writes.tracks(op.key())) {
        return;
      }
      switch (op.type()) {
        case INSERT, UPDATE, READ_MODIFY_WRITE -> {
          if (error != null) {
            writes.write(op.key(), op.values(), start, end, false);
          } else if (reply instanceof Reply.Done) {
            writes.write(op.key(), op.values(), start, end, true);
          } // Missing: the record was not there, nothing was written
        }
        case DELETE -> writes.delete(op.key());
        default -> { }
      }
    }

    private CompletableFuture<Reply> call(Operation op) {
      return switch (op.type()) {
        case READ -> client.get(op.key(), op.fields());
        case UPDATE -> client.update(op.key(), op.values());
        case INSERT -> client.put(op.key(), op.values());
        case DELETE -> client.delete(op.key());
        case SCAN -> client.scan(op.key(), op.scanLength(), op.fields());
        case READ_MODIFY_WRITE -> client.get(op.key(), op.fields())
            .thenCompose(r -> r instanceof Reply.Found ? client.update(op.key(), op.values()) : CompletableFuture.completedFuture(r));
      };
    }
  }
}
