package dev.raftbench.harness;

import dev.raftbench.workloads.OperationType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One HdrHistogram {@link Recorder} per operation type (latency of successful operations, in
 * nanoseconds, 1 ns .. 1 h at 3 significant digits) and counters of failed ones.
 */
final class OpMetrics {
  static final long HIGHEST_NANOS = 3_600_000_000_000L;
  static final int DIGITS = 3;

  static final class PerOp {
    /** Latency: from the intended start in open loop (coordinated-omission corrected), from the send in closed loop. */
    final Recorder recorder = new Recorder(1, HIGHEST_NANOS, DIGITS);
    /** Service time, from the actual send: open loop only (in closed loop it is the latency); else null. */
    final Recorder service;
    final LongAdder successes = new LongAdder();

    PerOp(boolean open) {
      service = open ? new Recorder(1, HIGHEST_NANOS, DIGITS) : null;
    }
    private Histogram latencyInterval;
    private Histogram serviceInterval;

    final LongAdder notFound = new LongAdder();
    final LongAdder failed = new LongAdder();

    /** The latency recorded since the last swap; valid until the next swap (the histogram is reused). */
    Histogram swapLatency() {
      latencyInterval = recorder.getIntervalHistogram(latencyInterval);
      return latencyInterval;
    }

    /** The service times recorded since the last swap (open loop); valid until the next swap. */
    Histogram swapService() {
      serviceInterval = service.getIntervalHistogram(serviceInterval);
      return serviceInterval;
    }
  }

  private final Map<OperationType, PerOp> ops = new EnumMap<>(OperationType.class);

  /** @param open open loop: service times are recorded beside the latencies */
  OpMetrics(Iterable<OperationType> types, boolean open) {
    for (OperationType t : types) {
      ops.put(t, new PerOp(open));
    }
  }

  PerOp of(OperationType t) {
    return ops.get(t);
  }

  void recordSuccess(OperationType t, long nanos) {
    PerOp per = ops.get(t);
    per.recorder.recordValue(clamp(nanos));
    per.successes.increment();
  }

  /** Open loop: the latency from the intended start and the service time from the send. */
  void recordSuccess(OperationType t, long latencyNanos, long serviceNanos) {
    PerOp per = ops.get(t);
    per.recorder.recordValue(clamp(latencyNanos));
    per.service.recordValue(clamp(serviceNanos));
    per.successes.increment();
  }

  private static long clamp(long nanos) {
    return Math.min(Math.max(nanos, 1), HIGHEST_NANOS);
  }

  void recordNotFound(OperationType t) {
    ops.get(t).notFound.increment();
  }

  void recordFailure(OperationType t) {
    ops.get(t).failed.increment();
  }

  static Histogram newHistogram() {
    return new Histogram(1, HIGHEST_NANOS, DIGITS);
  }
}
