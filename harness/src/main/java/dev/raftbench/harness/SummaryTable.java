package dev.raftbench.harness;

import dev.raftbench.workloads.OperationType;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The one screen a run ends with: what ran, the figures per operation, where the bundle is. */
final class SummaryTable {
  private SummaryTable() {}

  static void print(TrialResult r, PrintWriter out) {
    RunSpec s = r.spec();
    out.printf(Locale.ROOT, "%s on %s/%s: %d nodes%s, %d shards x %d replicas (%s placement), %s log, %s hashing, %d threads x %d in flight, %.0f s measured after %.0f s warm-up%s%n",
        s.workload().name(), s.engine(), s.cluster().transport(), s.cluster().nodes(),
        switch (s.cluster().cluster()) {
          case PROCESSES -> " (one process each)";
          case NETNS -> " (one process each, each in a network namespace)";
          case EMBEDDED -> "";
          case EXTERNAL -> " (daemons of a cluster file)";
        }, s.cluster().shards(),
        s.cluster().replication(), s.cluster().placement(), s.cluster().log().name().toLowerCase(Locale.ROOT), s.hashing(), s.threads(), s.inflight(), r.measuredSeconds(),
        r.warmup().seconds(), !r.warmup().asked().auto() ? "" : r.warmup().levelled() ? " (auto: levelled)"
            : " (auto: had not levelled at " + DurationConverter.human(r.warmup().asked().max()) + ")");
    out.printf(Locale.ROOT, "%-18s %10s %10s %7s %9s %9s %9s %9s %9s %9s%n", "operation", "count", "ops/s", "errors",
        "mean_us", "p50_us", "p90_us", "p99_us", "p99.9_us", "max_us");
    for (Map.Entry<OperationType, TrialResult.OpTotals> e : r.ops().entrySet()) {
      TrialResult.OpTotals o = e.getValue();
      Histogram h = o.latency();
      boolean any = h.getTotalCount() > 0;
      out.printf(Locale.ROOT, "%-18s %10d %10.1f %7d %9s %9s %9s %9s %9s %9s%n", e.getKey().ycsbName(), o.count(),
          o.count() / Math.max(r.measuredSeconds(), 1e-9), o.errors(),
          any ? String.format(Locale.ROOT, "%.1f", h.getMean() / 1000) : "-", us(h, 50, any), us(h, 90, any), us(h, 99, any),
          us(h, 99.9, any), any ? String.format(Locale.ROOT, "%.1f", h.getMaxValue() / 1000.0) : "-");
      if (o.sampleError() != null) {
        out.println("    e.g. " + o.sampleError());
      }
    }
    out.printf(Locale.ROOT, "%-18s %10d %10.1f %7d%n", "TOTAL", r.operations(), r.throughput(), r.errors());
    if (s.openLoop()) {
      out.printf(Locale.ROOT, "open loop at %.0f ops/s (%s arrivals): latencies from each operation's intended start; service times (from the send) in the bundle%n",
          s.target(), s.arrivals());
      out.printf(Locale.ROOT, "  %,d sends waited for a full window (the client held them: raise --inflight or --threads); %,d operations due at the end were never sent%n",
          r.openLoop().sendsDelayedByFullWindow(), r.openLoop().dueButUnsentAtEnd());
    }
    if (r.noiseFloor() != null && r.noiseFloor().latency().getTotalCount() > 0) {
      Histogram n = r.noiseFloor().latency();
      out.printf(Locale.ROOT, "noise floor (same client on noop, %.0f s): %,.0f ops/s, p50 %.1f us, p99 %.1f us, max %.1f us%n",
          r.noiseFloor().seconds(), r.noiseFloor().throughput(), n.getValueAtPercentile(50) / 1000.0, n.getValueAtPercentile(99) / 1000.0,
          n.getMaxValue() / 1000.0);
    }
    if (r.shardsPerScan() != null) {
      out.printf(Locale.ROOT, "scans: %,d, %.2f shards asked per scan (%s hashing)%n", r.scans(), r.shardsPerScan(), s.hashing());
    }
    out.printf(Locale.ROOT, "load: %,d records in %.1f s (%d errors); cluster start %.1f s; client retries %d%s%n",
        r.load().records(), r.load().seconds(), r.load().errors(), r.clusterStartSeconds(), r.clientRetries(),
        r.staleEpochRetries() > 0 ? " (" + r.staleEpochRetries() + " after a stale shard epoch)" : "");
    TrialResult.Verify v = r.verify();
    if (v.performed()) {
      out.printf(Locale.ROOT, "verify: %,d acknowledged writes; %,d keys read back%s: %,d verified, %,d LOST, %,d unreadable%s%n", v.acknowledged(),
          v.keys(), v.sampledOneIn() > 1 ? " (one in " + v.sampledOneIn() + ")" : "", v.verified(), v.lost(), v.unreadable(),
          v.lost() > 0 ? ", e.g. " + v.sampleLost() : "");
    } else {
      out.println("verify: not performed (" + v.reason() + ")");
    }
    if (r.availability() != null) {
      r.availability().events().forEach(h -> out.println("event: " + Faults.describe(h)));
      out.printf(Locale.ROOT, "availability: longest time a shard was asked and answered nothing: %.0f ms (per shard: %s)%n",
          r.availability().maxGapMillisOverall(), r.availability().maxGapMillis().stream().map(g -> String.format(Locale.ROOT, "%.0f", g)).toList());
    }
    if (r.linearizability() != null) {
      Linearizability.Verdict lv = r.linearizability().verdict();
      out.printf(Locale.ROOT, "linearizability: %s (%,d keys, %,d operations checked%s)%n", lv.result().name().toLowerCase(Locale.ROOT),
          lv.keys(), lv.operations(), lv.keysUnknown() > 0 ? ", search gave up on " + lv.keysUnknown() + " keys" : "");
      if (lv.result() == Linearizability.Result.VIOLATION) {
        out.println("  key " + lv.violatingKey() + ": the operations around the point no linearization could pass:");
        lv.offending().forEach(op -> out.println("    " + op));
      }
    }
    out.println("bundle: " + s.out().toAbsolutePath().normalize());
    out.flush();
  }

  private static String us(Histogram h, double p, boolean any) {
    return any ? String.format(Locale.ROOT, "%.1f", h.getValueAtPercentile(p) / 1000.0) : "-";
  }
}
