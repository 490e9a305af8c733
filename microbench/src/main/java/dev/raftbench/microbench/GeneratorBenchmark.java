package dev.raftbench.microbench;

import dev.raftbench.workloads.Generators;
import dev.raftbench.workloads.Operation;
import dev.raftbench.workloads.Workload;
import dev.raftbench.workloads.Workloads;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The workload side of the hot path: a key number from each request distribution, and a whole
 * operation of a core workload (operation choice, key choice, key name, field values). Goal: at
 * most 50 ns per operation; run with {@code -prof gc} for the bytes allocated per operation.
 *
 * <pre>java -jar microbench/target/microbench.jar GeneratorBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GeneratorBenchmark {
  /** A key number: the distributions of YCSB's CoreWorkload over a million records. */
  @State(Scope.Thread)
  public static class Keys {
    @Param({"uniform", "zipfian", "scrambled-zipfian", "hotspot", "exponential"})
    public String distribution;

    Generators.LongSource source;
    final SplittableRandom random = new SplittableRandom(1);

    @Setup
    public void setUp() {
      long n = 1_000_000;
      source = switch (distribution) {
        case "uniform" -> Generators.uniform(0, n - 1);
        case "zipfian" -> new Generators.Zipfian(0, n - 1, 0.99);
        case "scrambled-zipfian" -> Generators.scrambledZipfian(0, n - 1, 0.99);
        case "hotspot" -> Generators.hotspot(0, n - 1, 0.2, 0.8);
        case "exponential" -> Generators.exponential(95, n * 0.8571428571);
        default -> throw new IllegalArgumentException(distribution);
      };
    }
  }

  /** A whole operation of a workload, as a harness worker draws it (and acknowledges it). */
  @State(Scope.Thread)
  public static class Operations {
    @Param({"workload-a", "workload-b", "workload-d", "workload-e", "workload-f"})
    public String workload;

    Workload.Generator generator;

    @Setup
    public void setUp() {
      Workload w = new Workload(Workloads.load(workload, Map.of("recordcount", "1000000", "operationcount", "1000000")));
      generator = w.generator(1, 0);
    }
  }

  @Benchmark
  public long keyNumber(Keys k) {
    return k.source.next(k.random);
  }

  @Benchmark
  public Operation operation(Operations o) {
    Operation op = o.generator.next();
    o.generator.acknowledge(op);
    return op;
  }
}
