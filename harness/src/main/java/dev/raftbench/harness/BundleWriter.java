package dev.raftbench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.workloads.OperationType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Writes a trial's results bundle: trial.json (the data), ycsb.txt (YCSB's report format),
 * timeseries.csv (per second, per operation) and charts/latency.png. latency.hlog is written by
 * the runner while it measures.
 */
final class BundleWriter {
  /** Bumped on any incompatible change of trial.json. */
  static final String SCHEMA = "raftbench.trial/1";

  private BundleWriter() {}

  static void write(TrialResult r) throws IOException {
    Path out = r.spec().out();
    Files.createDirectories(out);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    json.writeValue(out.resolve("trial.json").toFile(), toJson(r));
    writeYcsb(r, out.resolve("ycsb.txt"));
    writeTimeseries(r, out.resolve("timeseries.csv"));
    Charts.percentileSpectrum(r, out.resolve("charts"));
    Charts.timeSeries(r, out.resolve("charts"));
    if (r.linearizability() != null) {
      r.linearizability().history().write(out.resolve("history.csv"));
    }
  }

  /** How the warm-up went: fixed, or automatic with each block's rate and whether it levelled. */
  private static Map<String, Object> warmup(Warmup.Outcome w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", w.asked().auto() ? "auto" : "fixed");
    m.put("seconds", round(w.seconds(), 3));
    if (w.asked().auto()) {
      m.put("levelled", w.levelled());
      m.put("rule", "the " + (w.blocks().stream().anyMatch(b -> b.serviceP50Micros() != null) ? "median service time" : "throughput")
          + " over each of the last " + Warmup.WINDOWS + " windows of " + Warmup.WINDOW_BLOCKS + " blocks within " + Warmup.TOLERANCE_PERCENT
          + " % of the window before, and the JIT compilers of the trial's JVMs at most " + Warmup.JIT_PERCENT + " % of a core in each block of the last window");
      m.put("block_s", w.asked().block().toMillis() / 1000.0);
      m.put("max_s", w.asked().max().toMillis() / 1000.0);
      List<Map<String, Object>> blocks = new ArrayList<>();
      for (Warmup.Block b : w.blocks()) {
        Map<String, Object> bm = new LinkedHashMap<>();
        bm.put("end_s", b.endSeconds());
        bm.put("ops_s", round(b.opsPerSecond(), 1));
        if (b.serviceP50Micros() != null) {
          bm.put("service_p50_us", round(b.serviceP50Micros(), 1));
        }
        bm.put("jit_cpu_ms", b.jitMillis());
        blocks.add(bm);
      }
      m.put("blocks", blocks);
    }
    return m;
  }

  static Map<String, Object> toJson(TrialResult r) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("started_at", r.startedAt().toString());
    Map<String, Object> spec = spec(r.spec());
    spec.put("engine_settings", r.engineSettings());
    root.put("spec", spec);
    root.put("environment", r.environment());
    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("cluster_start_s", round(r.clusterStartSeconds(), 3));
    timing.put("load_s", round(r.load().seconds(), 3));
    timing.put("warmup_s", round(r.warmup().seconds(), 3));
    timing.put("measured_s", round(r.measuredSeconds(), 3));
    root.put("timing", timing);
    root.put("warmup", warmup(r.warmup()));
    Map<String, Object> load = new LinkedHashMap<>();
    load.put("records", r.load().records());
    load.put("errors", r.load().errors());
    load.put("inserts_per_s", round(r.load().records() / Math.max(r.load().seconds(), 1e-9), 1));
    root.put("load", load);

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("throughput_ops_s", round(r.throughput(), 1));
    summary.put("operations", r.operations());
    summary.put("errors", r.errors());
    summary.put("client_retries", r.clientRetries());
    summary.put("client_stale_epoch_retries", r.staleEpochRetries());
    summary.put("scans", r.scans());
    summary.put("shards_per_scan_mean", r.shardsPerScan() == null ? null : round(r.shardsPerScan(), 3));
    Map<String, Object> ops = new LinkedHashMap<>();
    r.ops().forEach((t, o) -> ops.put(t.ycsbName(), opJson(o, o.latency(), r.measuredSeconds())));
    summary.put("ops", ops);
    if (r.spec().openLoop()) {
      // the same fields, from the actual send rather than the intended start
      Map<String, Object> service = new LinkedHashMap<>();
      r.ops().forEach((t, o) -> service.put(t.ycsbName(), opJson(o, o.service(), r.measuredSeconds())));
      summary.put("service", service);
      Map<String, Object> open = new LinkedHashMap<>();
      open.put("sends_delayed_by_full_window", r.openLoop().sendsDelayedByFullWindow());
      open.put("due_but_unsent_at_end", r.openLoop().dueButUnsentAtEnd());
      Map<String, Object> lag = new LinkedHashMap<>();
      putPercentiles(lag, r.openLoop().sendLag());
      open.put("send_lag", lag); // the harness' own lateness: in the corrected latency, not in the service time
      summary.put("open_loop", open);
    }
    summary.put("noise_floor", noiseFloor(r));
    if (r.integrity() != null) {
      summary.put("data_integrity", Map.of("checked", r.integrity().checked(), "failed", r.integrity().failed()));
    }
    root.put("summary", summary);
    if (!r.engineReport().isEmpty()) {
      // what the engine measured of itself (synthetic: the service it delivered); histograms as their percentiles
      Map<String, Object> report = new LinkedHashMap<>();
      r.engineReport().forEach((k, v) -> {
        if (v instanceof Histogram h) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("count", h.getTotalCount());
          putPercentiles(m, h);
          report.put(k, m);
        } else {
          report.put(k, v);
        }
      });
      root.put("engine_report", report);
    }
    Map<String, Object> verify = new LinkedHashMap<>();
    TrialResult.Verify v = r.verify();
    verify.put("performed", v.performed());
    if (!v.performed()) {
      verify.put("reason", v.reason());
    } else {
      verify.put("acknowledged", v.acknowledged());
      verify.put("keys", v.keys());
      verify.put("verified", v.verified());
      verify.put("lost", v.lost());
      verify.put("unreadable", v.unreadable());
      verify.put("deleted_keys_skipped", v.deletedKeysSkipped());
      verify.put("sampled_one_key_in", v.sampledOneIn());
      verify.put("sample_lost", v.sampleLost());
      verify.put("seconds", round(v.seconds(), 3));
    }
    root.put("verify", verify);
    root.put("linearizability", linearizability(r.linearizability()));
    root.put("events", r.availability() == null ? List.of() : r.availability().events().stream().map(h -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("at_s", round(h.atSeconds(), 3));
      e.put("action", h.action());
      e.put("nodes", h.nodes());
      e.put("down_s", round(h.downSeconds(), 3));
      e.put("restart_s", round(h.restartSeconds(), 3));
      e.put("error", h.error());
      if (h.placement() != null) {
        Coordinator.Outcome o = h.placement();
        Map<String, Object> pd = new LinkedHashMap<>();
        pd.put("coordinator", o.coordinator());
        pd.put("seconds", round(o.seconds(), 3));
        pd.put("replicas_moved", o.replicasMoved());
        pd.put("ideal_moves", o.idealMoves());
        pd.put("bytes_moved", o.bytesMoved());
        if (o.mapWrites() != null) {
          pd.put("map_writes", o.mapWrites());
        }
        pd.put("leaders_moved", o.leadersMoved());
        pd.put("replicas_per_node", o.replicasPerNode());
        pd.put("leaders_per_node", o.leadersPerNode());
        e.put("placement", pd);
      }
      return e;
    }).toList());
    Map<String, Object> availability = new LinkedHashMap<>();
    availability.put("measured", r.availability() != null);
    if (r.availability() != null) {
      availability.put("max_gap_ms", round(r.availability().maxGapMillisOverall(), 1));
      availability.put("per_shard_max_gap_ms", r.availability().maxGapMillis().stream().map(g -> round(g, 1)).toList());
    }
    root.put("availability", availability);
    root.put("files", Map.of("latency_log", "latency.hlog", "timeseries", "timeseries.csv", "ycsb_report", "ycsb.txt",
        "latency_chart", "charts/latency.png", "timeseries_chart", "charts/timeseries.png"));
    return root;
  }

  /** {@code result}: ok, violation or unknown (the search gave up on some key); or {@code checked: false}. */
  private static Map<String, Object> linearizability(TrialResult.Linearizable lin) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("checked", lin != null);
    if (lin == null) {
      return m;
    }
    Linearizability.Verdict v = lin.verdict();
    m.put("result", v.result().name().toLowerCase(Locale.ROOT));
    m.put("keys", v.keys());
    m.put("operations", v.operations());
    m.put("keys_unknown", v.keysUnknown());
    m.put("operations_not_checked", lin.history().skipped());
    m.put("violating_key", v.violatingKey());
    m.put("offending", v.offending().stream().map(Linearizability.Op::toString).toList());
    m.put("seconds", round(lin.seconds(), 3));
    m.put("history", "history.csv");
    return m;
  }

  private static Map<String, Object> spec(RunSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workload", s.workload().name());
    m.put("workload_source", s.workloadSource());
    m.put("workload_properties", s.workload().properties());
    m.put("workload_unknown_properties", s.workload().unknownProperties());
    m.put("engine", s.engine());
    EngineSpec c = s.cluster();
    m.put("transport", c.transport());
    m.put("cluster", c.cluster().label());
    if (!c.endpoints().isEmpty()) {
      m.put("cluster_file", s.clusterFile().path().toString());
      m.put("topology", s.clusterFile().topology()); // as the file gives it, e.g. hosts and round trips
      m.put("endpoints", c.endpoints()); // n1, n2, ... of the cluster file
    }
    m.put("client", s.client());
    m.put("nodes", c.nodes());
    m.put("shards", c.shards());
    m.put("replication", c.replication());
    m.put("placement", c.placement());
    m.put("layout", c.layout());
    m.put("coordinator", s.coordinator());
    m.put("log", c.log().name().toLowerCase(Locale.ROOT));
    m.put("fsync", c.fsync());
    m.put("reads", c.reads().name().toLowerCase(Locale.ROOT));
    m.put("data_dir", c.dataDir() == null ? null : c.dataDir().toString());
    m.put("engine_options", c.options());
    Set<Capability> has = Engines.byName(s.engine()).capabilities(c);
    m.put("engine_capabilities", ListCommand.names(has));
    m.put("engine_not_supported", ListCommand.names(Capability.missingFrom(has)));
    m.put("hashing", s.hashing());
    m.put("vnodes", s.hashing().equals("ring") || s.hashing().equals("bounded") ? s.vnodes() : null);
    m.put("balance_epsilon", s.hashing().equals("bounded") ? s.balanceEpsilon() : null);
    m.put("loop", s.openLoop() ? "open" : "closed");
    m.put("target_ops_s", s.target());
    m.put("arrivals", s.openLoop() ? s.arrivals() : null);
    m.put("threads", s.threads());
    m.put("inflight_per_thread", s.inflight());
    m.put("retry_for_s", s.retryFor().toMillis() / 1000.0);
    m.put("noise_floor_s", s.noiseFloor().toMillis() / 1000.0);
    m.put("recordcount", s.workload().recordCount);
    m.put("warmup", s.warmup().auto() ? "auto" : "fixed");
    m.put("warmup_s", s.warmup().max().toMillis() / 1000.0); // auto: the most it may last
    m.put("warmup_block_s", s.warmup().auto() ? s.warmup().block().toMillis() / 1000.0 : null);
    m.put("duration_s", s.duration().toMillis() / 1000.0);
    m.put("seed", s.seed());
    return m;
  }

  private static Map<String, Object> noiseFloor(TrialResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    TrialResult.NoiseFloor n = r.noiseFloor();
    m.put("measured", n != null);
    if (n == null) {
      m.put("reason", "--noise-floor 0");
      return m;
    }
    m.put("engine", "noop");
    m.put("seconds", round(n.seconds(), 3));
    m.put("operations", n.operations());
    m.put("throughput_ops_s", round(n.throughput(), 1));
    putPercentiles(m, n.latency());
    return m;
  }

  private static Map<String, Object> opJson(TrialResult.OpTotals o, Histogram h, double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", o.count());
    m.put("errors", o.errors());
    m.put("not_found", o.notFound());
    m.put("failed", o.failed());
    m.put("ops_s", round(o.count() / Math.max(seconds, 1e-9), 1));
    boolean any = h.getTotalCount() > 0;
    m.put("mean_us", any ? round(h.getMean() / 1000.0, 1) : null);
    putPercentiles(m, h);
    m.put("min_us", any ? us(h.getMinValue()) : null);
    if (o.sampleError() != null) {
      m.put("sample_error", o.sampleError());
    }
    return m;
  }

  /** {@code p50_us}, {@code p90_us}, {@code p99_us}, {@code p999_us}, {@code max_us} of a histogram in ns (null when empty). */
  private static void putPercentiles(Map<String, Object> m, Histogram h) {
    boolean any = h.getTotalCount() > 0;
    m.put("p50_us", any ? us(h.getValueAtPercentile(50)) : null);
    m.put("p90_us", any ? us(h.getValueAtPercentile(90)) : null);
    m.put("p99_us", any ? us(h.getValueAtPercentile(99)) : null);
    m.put("p999_us", any ? us(h.getValueAtPercentile(99.9)) : null);
    m.put("max_us", any ? us(h.getMaxValue()) : null);
  }

  private static double us(long nanos) {
    return round(nanos / 1000.0, 1);
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static void writeYcsb(TrialResult r, Path file) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      w.printf(Locale.ROOT, "[OVERALL], RunTime(ms), %d%n", Math.round(r.measuredSeconds() * 1000));
      w.printf(Locale.ROOT, "[OVERALL], Throughput(ops/sec), %s%n", r.throughput());
      w.printf(Locale.ROOT, "[LOAD], Operations, %d%n", r.load().records());
      w.printf(Locale.ROOT, "[LOAD], RunTime(ms), %d%n", Math.round(r.load().seconds() * 1000));
      if (r.integrity() != null) { // YCSB's dataintegrity section
        w.printf(Locale.ROOT, "[VERIFY], Operations, %d%n", r.integrity().checked());
        w.printf(Locale.ROOT, "[VERIFY], Return=OK, %d%n", r.integrity().checked() - r.integrity().failed());
        if (r.integrity().failed() > 0) {
          w.printf(Locale.ROOT, "[VERIFY], Return=UNEXPECTED_STATE, %d%n", r.integrity().failed());
        }
      }
      for (Map.Entry<OperationType, TrialResult.OpTotals> e : r.ops().entrySet()) {
        String n = "[" + e.getKey().ycsbName() + "]";
        TrialResult.OpTotals o = e.getValue();
        Histogram h = o.latency();
        boolean any = h.getTotalCount() > 0;
        w.printf(Locale.ROOT, "%s, Operations, %d%n", n, o.count());
        w.printf(Locale.ROOT, "%s, AverageLatency(us), %s%n", n, any ? h.getMean() / 1000.0 : 0.0);
        w.printf(Locale.ROOT, "%s, MinLatency(us), %d%n", n, any ? h.getMinValue() / 1000 : 0);
        w.printf(Locale.ROOT, "%s, MaxLatency(us), %d%n", n, any ? h.getMaxValue() / 1000 : 0);
        w.printf(Locale.ROOT, "%s, 50thPercentileLatency(us), %d%n", n, any ? h.getValueAtPercentile(50) / 1000 : 0);
        w.printf(Locale.ROOT, "%s, 95thPercentileLatency(us), %d%n", n, any ? h.getValueAtPercentile(95) / 1000 : 0);
        w.printf(Locale.ROOT, "%s, 99thPercentileLatency(us), %d%n", n, any ? h.getValueAtPercentile(99) / 1000 : 0);
        w.printf(Locale.ROOT, "%s, 99.9PercentileLatency(us), %d%n", n, any ? h.getValueAtPercentile(99.9) / 1000 : 0);
        w.printf(Locale.ROOT, "%s, Return=OK, %d%n", n, h.getTotalCount());
        if (o.notFound() > 0) {
          w.printf(Locale.ROOT, "%s, Return=NOT_FOUND, %d%n", n, o.notFound());
        }
        if (o.failed() > 0) {
          w.printf(Locale.ROOT, "%s, Return=ERROR, %d%n", n, o.failed());
        }
      }
    }
  }

  private static void writeTimeseries(TrialResult r, Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("t_s,op,ops,ops_s,p50_us,p99_us,max_us,errors,event\n");
      List<Faults.Happened> events = r.availability() == null ? List.of() : r.availability().events();
      for (TrialResult.Interval i : r.intervals()) {
        boolean any = i.successes() > 0;
        long ops = i.operations();
        // the events that began in this interval, e.g. "kill-leader n2"
        String event = events.stream().filter(h -> h.atSeconds() >= i.startSeconds() && h.atSeconds() < i.startSeconds() + i.lengthSeconds())
            .map(h -> h.action() + " " + String.join(" ", h.nodes())).reduce((a, b) -> a + "; " + b).orElse("");
        w.write(String.format(Locale.ROOT, "%.3f,%s,%d,%.1f,%s,%s,%s,%d,%s%n", i.startSeconds(), i.op().ycsbName(), ops,
            ops / Math.max(i.lengthSeconds(), 1e-9), any ? us(i.p50Nanos()) : "", any ? us(i.p99Nanos()) : "",
            any ? us(i.maxNanos()) : "", i.errors(), event));
      }
    }
  }
}
