package dev.raftbench.microbench;

import com.google.common.hash.Hashing;
import dev.raftbench.store.shard.KeyHash;
import dev.raftbench.store.shard.Partitioner;
import dev.raftbench.store.shard.PartitionerSpec;
import dev.raftbench.store.shard.Partitioners;
import java.util.ArrayList;
import java.util.List;
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
 * Nanoseconds per key lookup of every hashing scheme (key hash included), with Guava's
 * {@code Hashing.consistentHash} over the same key hash as the peer. The ring has 100 points per
 * bucket, so 100k points at 1000 buckets.
 *
 * <pre>java -jar microbench/target/microbench.jar HashingBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HashingBenchmark {
  @Param({"jump", "guava-jump", "modulo", "ring", "rendezvous", "maglev", "bounded", "range", "range-even"})
  public String scheme;

  @Param({"10", "100", "1000"})
  public int buckets;

  private String[] keys;
  private int next;
  private Partitioner partitioner;

  @Setup
  public void setUp() {
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      sample.add("user" + KeyHash.fmix64(i));
    }
    keys = new String[4096];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = sample.get((i * 7919) % sample.size());
    }
    if (!scheme.equals("guava-jump")) {
      partitioner = Partitioners.create(scheme, new PartitionerSpec(buckets, 100, Partitioners.needsKeySample(scheme) ? sample : List.of()));
    }
  }

  @Benchmark
  public int lookup() {
    String key = keys[next++ & (keys.length - 1)];
    if (partitioner == null) {
      return Hashing.consistentHash(KeyHash.hash64(key), buckets);
    }
    return partitioner.shardOf(key);
  }
}
