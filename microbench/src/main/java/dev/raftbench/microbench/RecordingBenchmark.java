package dev.raftbench.microbench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The harness' recording path per operation, as {@code OpMetrics} does it: two timestamps
 * ({@code System.nanoTime}), the latency into an HdrHistogram {@link Recorder} (1 ns .. 1 h, 3
 * digits) and a success counter; in open loop a second value into the service-time recorder.
 * Goal: at most 50 ns per recorded operation. The {@code contended} group adds a reader swapping
 * intervals as the harness does each second, here as fast as it can (a worst case).
 *
 * <pre>java -jar microbench/target/microbench.jar RecordingBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordingBenchmark {
  private static final long HIGHEST = 3_600_000_000_000L;

  private final Recorder latency = new Recorder(1, HIGHEST, 3);
  private final Recorder service = new Recorder(1, HIGHEST, 3);
  private final LongAdder successes = new LongAdder();
  private Histogram recycled;

  private static long clamp(long nanos) {
    return Math.min(Math.max(nanos, 1), HIGHEST);
  }

  /** Closed loop: one latency from the send. */
  @Benchmark
  @Threads(1)
  public void closedLoop() {
    long start = System.nanoTime();
    long end = System.nanoTime();
    latency.recordValue(clamp(end - start));
    successes.increment();
  }

  /** Open loop: the corrected latency and the service time. */
  @Benchmark
  @Threads(1)
  public void openLoop() {
    long intended = System.nanoTime();
    long start = System.nanoTime();
    long end = System.nanoTime();
    latency.recordValue(clamp(end - intended));
    service.recordValue(clamp(end - start));
    successes.increment();
  }

  /** Two recording threads sharing the recorders (the harness' workers do). */
  @Benchmark
  @Threads(2)
  public void closedLoopTwoThreads() {
    closedLoop();
  }

  @Benchmark
  @Group("contended")
  @GroupThreads(1)
  public void recordWhileSwapping() {
    closedLoop();
  }

  @Benchmark
  @Group("contended")
  @GroupThreads(1)
  public long swapInterval() {
    recycled = latency.getIntervalHistogram(recycled);
    return recycled.getTotalCount();
  }
}
