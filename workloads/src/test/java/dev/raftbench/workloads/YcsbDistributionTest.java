package dev.raftbench.workloads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import site.ycsb.generator.CounterGenerator;
import site.ycsb.generator.ExponentialGenerator;
import site.ycsb.generator.HotspotIntegerGenerator;
import site.ycsb.generator.ScrambledZipfianGenerator;
import site.ycsb.generator.SkewedLatestGenerator;
import site.ycsb.generator.UniformLongGenerator;

/**
 * Our key choice against YCSB 0.17's own generators, composed as its CoreWorkload composes them
 * (nextKeynum's guards included): a million keys from each, compared by the two-sample
 * Kolmogorov-Smirnov statistic twice, over key numbers (where the hot keys are) and over key
 * popularity ranks (how skewed; a scrambled zipfian looks uniform by key number alone), and by
 * the hottest keys themselves. For two samples of a million from one distribution, D exceeds
 * 0.0038 with probability below 10^-6; the tolerance is 0.005. (YCSB's generators draw from
 * ThreadLocalRandom, so only ours is seeded.)
 */
class YcsbDistributionTest {
  private static final int N = 1_000_000;
  private static final long RECORDS = 100_000;
  private static final double TOLERANCE = 0.005;

  private static long[] ours(String distribution) {
    WorkloadSpec spec = Workloads.load("workload-c", Map.of("recordcount", Long.toString(RECORDS), "operationcount", Long.toString(2L * N),
        "requestdistribution", distribution));
    Workload.Generator g = new Workload(spec).generator(42, 0);
    long[] keys = new long[N];
    for (int i = 0; i < N; i++) {
      keys[i] = g.next().keyNumber();
    }
    return keys;
  }

  /** YCSB's CoreWorkload.nextKeynum over its key chooser for the distribution, with no inserts. */
  private static long[] ycsb(String distribution) {
    long last = RECORDS - 1; // transactioninsertkeysequence.lastValue() with no inserts
    LongSupplier next = switch (distribution) {
      case "uniform" -> {
        UniformLongGenerator g = new UniformLongGenerator(0, RECORDS - 1);
        yield () -> g.nextValue();
      }
      case "zipfian" -> { // scrambled over [insertstart, insertstart + insertcount + expectednewkeys]
        ScrambledZipfianGenerator g = new ScrambledZipfianGenerator(0, RECORDS);
        yield () -> {
          long k;
          do {
            k = g.nextValue();
          } while (k > last);
          return k;
        };
      }
      case "latest" -> {
        SkewedLatestGenerator g = new SkewedLatestGenerator(new CounterGenerator(RECORDS));
        yield () -> g.nextValue();
      }
      case "hotspot" -> {
        HotspotIntegerGenerator g = new HotspotIntegerGenerator(0, RECORDS - 1, 0.2, 0.8);
        yield () -> g.nextValue();
      }
      case "exponential" -> {
        ExponentialGenerator g = new ExponentialGenerator(95, RECORDS * 0.8571428571);
        yield () -> {
          long k;
          do {
            k = last - g.nextValue().longValue();
          } while (k < 0);
          return k;
        };
      }
      default -> throw new IllegalArgumentException(distribution);
    };
    long[] keys = new long[N];
    for (int i = 0; i < N; i++) {
      keys[i] = next.getAsLong();
    }
    return keys;
  }

  /** The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs. */
  static double ks(long[] a, long[] b) {
    long[] x = a.clone();
    long[] y = b.clone();
    Arrays.sort(x);
    Arrays.sort(y);
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < x.length && j < y.length) {
      long v = Math.min(x[i], y[j]);
      while (i < x.length && x[i] == v) {
        i++;
      }
      while (j < y.length && y[j] == v) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
    }
    return d;
  }

  /** Each draw replaced by its key's popularity rank in its own sample (0 = the most drawn key). */
  static long[] popularityRanks(long[] keys) {
    java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
    for (long k : keys) {
      counts.merge(k, 1, Integer::sum);
    }
    java.util.List<Long> order = new java.util.ArrayList<>(counts.keySet());
    order.sort((x, y) -> counts.get(y).equals(counts.get(x)) ? Long.compare(x, y) : Integer.compare(counts.get(y), counts.get(x)));
    java.util.Map<Long, Long> rank = new java.util.HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      rank.put(order.get(i), (long) i);
    }
    long[] r = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      r[i] = rank.get(keys[i]);
    }
    return r;
  }

  private static java.util.Set<Long> hottest(long[] keys, int n) {
    long[] ranks = popularityRanks(keys);
    java.util.Set<Long> top = new java.util.HashSet<>();
    for (int i = 0; i < keys.length; i++) {
      if (ranks[i] < n) {
        top.add(keys[i]);
      }
    }
    return top;
  }

  @ParameterizedTest
  @ValueSource(strings = {"uniform", "zipfian", "latest", "hotspot", "exponential"})
  void keysFollowYcsbsDistribution(String distribution) {
    long[] ours = ours(distribution);
    long[] ycsb = ycsb(distribution);
    assertThat(ks(ours, ycsb)).as("KS distance over key numbers, " + distribution).isLessThan(TOLERANCE);
    assertThat(ks(popularityRanks(ours), popularityRanks(ycsb))).as("KS distance over popularity ranks, " + distribution)
        .isLessThan(TOLERANCE);
    if (distribution.equals("zipfian") || distribution.equals("latest")) {
      // the same keys are the hot ones (the same scramble; the same newest keys)
      assertThat(hottest(ours, 3)).as("the 3 hottest keys, " + distribution).isEqualTo(hottest(ycsb, 3));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"zipfian", "latest"})
  void aWrongDistributionIsToldApart(String distribution) {
    // uniform keys against YCSB's skewed ones: the popularity ranks give it away
    assertThat(ks(popularityRanks(ours("uniform")), popularityRanks(ycsb(distribution)))).isGreaterThan(10 * TOLERANCE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"workload-a", "workload-b", "workload-c", "workload-d", "workload-e", "workload-f"})
  void operationMixMatchesTheProportions(String name) {
    WorkloadSpec spec = Workloads.load(name, Map.of("recordcount", "10000", "operationcount", "1000000"));
    Workload.Generator g = new Workload(spec).generator(7, 0);
    Map<OperationType, Integer> counts = new EnumMap<>(OperationType.class);
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      Operation op = g.next();
      counts.merge(op.type(), 1, Integer::sum);
      g.acknowledge(op);
    }
    // YCSB's DiscreteGenerator picks each operation with its proportion: binomial noise < 0.5 %
    spec.proportions().forEach((type, p) -> assertThat(counts.getOrDefault(type, 0) / (double) n).as(name + " " + type)
        .isCloseTo(p, org.assertj.core.data.Offset.offset(0.005)));
  }
}
