package dev.raftbench.harness;

import dev.raftbench.workloads.OperationType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What a trial measured, before anything is printed: the bundle is written from this alone. */
record TrialResult(
    RunSpec spec,
    Map<String, Object> environment,
    Instant startedAt,
    double clusterStartSeconds,
    Load load,
    double measuredSeconds,
    Map<OperationType, OpTotals> ops,
    long clientRetries,
    long scans,
    long scanShardVisits,
    List<Interval> intervals) {

  /** The load phase: records inserted before the run. */
  record Load(long records, long errors, double seconds) {}

  /** One operation type over the measured phase. */
  record OpTotals(Histogram latency, long notFound, long failed, String sampleError) {
    long errors() {
      return notFound + failed;
    }

    long count() {
      return latency.getTotalCount() + errors();
    }
  }

  /** One second (or so) of the measured phase, per operation type. */
  record Interval(double startSeconds, double lengthSeconds, OperationType op, Histogram latency, long errors) {}

  long operations() {
    return ops.values().stream().mapToLong(OpTotals::count).sum();
  }

  long errors() {
    return ops.values().stream().mapToLong(OpTotals::errors).sum();
  }

  /** Shards asked per scan in the measured phase, or null when there was no scan. */
  Double shardsPerScan() {
    return scans == 0 ? null : (double) scanShardVisits / scans;
  }

  double throughput() {
    return measuredSeconds > 0 ? operations() / measuredSeconds : 0;
  }
}
