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
    final Recorder recorder = new Recorder(1, HIGHEST_NANOS, DIGITS);
    final LongAdder successes = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder failed = new LongAdder();
  }

  private final Map<OperationType, PerOp> ops = new EnumMap<>(OperationType.class);

  OpMetrics(Iterable<OperationType> types) {
    for (OperationType t : types) {
      ops.put(t, new PerOp());
    }
  }

  PerOp of(OperationType t) {
    return ops.get(t);
  }

  void recordSuccess(OperationType t, long nanos) {
    PerOp per = ops.get(t);
    per.recorder.recordValue(Math.min(Math.max(nanos, 1), HIGHEST_NANOS));
    per.successes.increment();
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
