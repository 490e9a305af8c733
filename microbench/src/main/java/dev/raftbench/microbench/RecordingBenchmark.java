package dev.raftbench.microbench;

import dev.raftbench.harness.OpMetrics;
import dev.raftbench.workloads.OperationType;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
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
 * The harness' recording path per operation, through its own {@link OpMetrics}: two timestamps
 * ({@code System.nanoTime}) and a success (the latency into the recording thread's own HdrHistogram
 * {@code SingleWriterRecorder}, 1 ns .. 1 h at 3 digits, and its success counter); in open loop a
 * third timestamp and the service time beside the latency. Goal: at most 50 ns per recorded
 * operation. {@code twoThreads} records from two threads at once (the workers and the engines'
 * threads do); the {@code contended} group adds a reader ending intervals as the harness does each
 * second, here as fast as it can (a worst case).
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
  private final OpMetrics closed = new OpMetrics(EnumSet.of(OperationType.READ), false);
  private final OpMetrics open = new OpMetrics(EnumSet.of(OperationType.READ), true);

  /** The floor: the two timestamps alone, which every recorded operation takes (on this VM, kvm-clock through the vDSO). */
  @Benchmark
  @Threads(1)
  public long timestampsOnly() {
    long start = System.nanoTime();
    return System.nanoTime() - start;
  }

  /** Closed loop: one latency from the send. */
  @Benchmark
  @Threads(1)
  public void closedLoop() {
    long start = System.nanoTime();
    long end = System.nanoTime();
    closed.recordSuccess(OperationType.READ, end - start);
  }

  /** Open loop: the corrected latency and the service time. */
  @Benchmark
  @Threads(1)
  public void openLoop() {
    long intended = System.nanoTime();
    long start = System.nanoTime();
    long end = System.nanoTime();
    open.recordSuccess(OperationType.READ, end - intended, end - start);
  }

  /** Two threads recording into the same metrics. */
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
    closed.swap();
    return closed.latency(OperationType.READ).getTotalCount();
  }
}
