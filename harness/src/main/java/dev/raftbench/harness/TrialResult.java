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
    Map<String, String> engineSettings,
    Load load,
    Warmup.Outcome warmup,
    double measuredSeconds,
    Map<OperationType, OpTotals> ops,
    long clientRetries,
    long staleEpochRetries,
    long scans,
    long scanShardVisits,
    List<Interval> intervals,
    NoiseFloor noiseFloor,
    OpenLoop openLoop,
    Integrity integrity,
    Verify verify,
    Linearizable linearizability,
    Availability availability,
    Map<String, Object> engineReport) {

  /** With {@code --event}: what happened, and per shard the longest time it was asked and answered nothing; null without events. */
  record Availability(List<Faults.Happened> events, List<Double> maxGapMillis) {
    double maxGapMillisOverall() {
      return maxGapMillis.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
  }

  /** {@code --check-linearizability}: the verdict, the history it was reached on, and how long the check took; null when off. */
  record Linearizable(Linearizability.Verdict verdict, History history, double seconds) {}

  /**
   * The verify phase: every key written (load and run) read back after the run. {@code acknowledged}
   * counts acknowledged writes; {@code verified} and {@code lost} count keys (a key is lost when a
   * field holds no value its writes could have left, or is gone); {@code unreadable} keys could
   * not be read; keys ever deleted are skipped; with many keys, only one key in {@code sampledOneIn}
   * (chosen by key hash) is kept and checked.
   */
  record Verify(boolean performed, String reason, long acknowledged, long keys, long verified, long lost, long unreadable,
      long deletedKeysSkipped, long sampledOneIn, List<String> sampleLost, double seconds) {
    static Verify skipped(String reason) {
      return new Verify(false, reason, 0, 0, 0, 0, 0, 0, 0, List.of(), 0);
    }
  }

  /**
   * dataintegrity: reads whose values were checked against those their keys imply (warm-up
   * included, as long as the run lasted), and those that did not match (counted as failed reads).
   */
  record Integrity(long checked, long failed) {}

  /**
   * Open loop only: sends of the measured phase that waited for a full window (the client, not
   * the cluster, held them; the wait is in their corrected latency), and operations due at the
   * end but never sent (a backlog the latencies do not show); how late the sends were against
   * their intended starts (the harness' own lateness: a busy machine, or workers parked rather
   * than spinning; it is in the corrected latency and not in the service time).
   */
  record OpenLoop(long sendsDelayedByFullWindow, long dueButUnsentAtEnd, Histogram sendLag) {}

  /** The same client against {@code noop} for a short while before the trial: the harness' own latency. */
  record NoiseFloor(double seconds, long operations, Histogram latency) {
    double throughput() {
      return seconds > 0 ? operations / seconds : 0;
    }
  }

  /** The load phase: records inserted before the run. */
  record Load(long records, long errors, double seconds) {}

  /** One operation type over the measured phase. */
  /**
   * @param latency from the intended start in open loop (coordinated-omission corrected), else from the send
   * @param service from the send; null in closed loop, where it equals {@code latency}
   */
  record OpTotals(Histogram latency, Histogram service, long notFound, long failed, String sampleError) {
    long errors() {
      return notFound + failed;
    }

    long count() {
      return latency.getTotalCount() + errors();
    }
  }

  /** One second (or so) of the measured phase, per operation type. */
  /**
   * @param successes operations that succeeded in the interval (the latency figures are theirs; 0 = none)
   */
  record Interval(double startSeconds, double lengthSeconds, OperationType op, long successes, long p50Nanos, long p99Nanos,
      long maxNanos, long errors) {
    long operations() {
      return successes + errors;
    }
  }

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
