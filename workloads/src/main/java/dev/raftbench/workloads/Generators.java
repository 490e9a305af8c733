package dev.raftbench.workloads;

import java.util.SplittableRandom;

/**
 * YCSB's number generators, re-implemented so that every draw takes the caller's random source:
 * a worker owns its {@link SplittableRandom}, the generators hold only shared, immutable constants,
 * and a run is reproducible from its seed.
 */
public final class Generators {
  private Generators() {}

  /** A source of long values (key numbers, lengths). Thread-safe. */
  public interface LongSource {
    long next(SplittableRandom random);
  }

  /** Uniform in [lb, ub]. */
  public static LongSource uniform(long lb, long ub) {
    if (ub < lb) {
      throw new IllegalArgumentException("empty range [" + lb + ", " + ub + "]");
    }
    long span = ub - lb + 1;
    return r -> lb + r.nextLong(span);
  }

  public static LongSource constant(long value) {
    return r -> value;
  }

  /** YCSB's SequentialGenerator: lb, lb+1, ..., ub, lb, ... shared by all workers. */
  public static LongSource sequential(long lb, long ub) {
    java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong();
    long span = ub - lb + 1;
    return r -> lb + Math.floorMod(counter.getAndIncrement(), span);
  }

  /** YCSB's HotspotIntegerGenerator: hotOpnFraction of draws fall in the first hotSetFraction of [lb, ub]. */
  public static LongSource hotspot(long lb, long ub, double hotSetFraction, double hotOpnFraction) {
    if (hotSetFraction < 0 || hotSetFraction > 1 || hotOpnFraction < 0 || hotOpnFraction > 1) {
      throw new IllegalArgumentException("hotspot fractions must lie in [0, 1]");
    }
    long interval = ub - lb + 1;
    long hotInterval = (long) (interval * hotSetFraction);
    long coldInterval = interval - hotInterval;
    return r -> {
      if (r.nextDouble() < hotOpnFraction && hotInterval > 0) {
        return lb + r.nextLong(hotInterval);
      }
      return coldInterval > 0 ? lb + hotInterval + r.nextLong(coldInterval) : lb + r.nextLong(interval);
    };
  }

  /**
   * Field lengths from YCSB's histogram file: bucket i drawn in proportion to counts[i], giving
   * (i + 1) x blockSize. (YCSB's own HistogramGenerator draws almost the same way; its loop gives
   * bucket 0 one draw more and its last bucket one block less.)
   */
  public static LongSource histogram(int blockSize, long[] counts) {
    long[] cumulative = new long[counts.length];
    long acc = 0;
    for (int i = 0; i < counts.length; i++) {
      acc += counts[i];
      cumulative[i] = acc;
    }
    long total = acc;
    return r -> {
      long u = r.nextLong(total);
      int i = java.util.Arrays.binarySearch(cumulative, u);
      int bucket = i >= 0 ? i + 1 : -i - 1; // the first bucket whose cumulative count exceeds u
      while (counts[bucket] == 0) {
        bucket++;
      }
      return (long) (bucket + 1) * blockSize;
    };
  }

  /** YCSB's ExponentialGenerator: percentile% of draws below range. */
  public static LongSource exponential(double percentile, double range) {
    double gamma = -Math.log(1.0 - percentile / 100.0) / range;
    return r -> (long) (-Math.log(r.nextDouble()) / gamma);
  }

  /** Zipfian over [min, max] with the given constant (Gray et al., "Quickly generating billion-record synthetic databases"). */
  public static final class Zipfian implements LongSource {
    private final long base;
    private final long items;
    private final double theta;
    private final double zetan;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    public Zipfian(long min, long max, double theta) {
      this(min, max, theta, zeta(max - min + 1, theta));
    }

    Zipfian(long min, long max, double theta, double zetan) {
      if (max < min) {
        throw new IllegalArgumentException("empty zipfian range [" + min + ", " + max + "]");
      }
      if (theta <= 0 || theta >= 1) {
        throw new IllegalArgumentException("zipfian constant must lie in (0, 1), was " + theta);
      }
      this.base = min;
      this.items = max - min + 1;
      this.theta = theta;
      this.zetan = zetan;
      this.alpha = 1.0 / (1.0 - theta);
      double zeta2 = zeta(2, theta);
      this.eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetan);
      this.halfPowTheta = 1 + Math.pow(0.5, theta);
    }

    static double zeta(long n, double theta) {
      double sum = 0;
      for (long i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, theta);
      }
      return sum;
    }

    @Override
    public long next(SplittableRandom r) {
      double u = r.nextDouble();
      double uz = u * zetan;
      if (uz < 1.0) {
        return base;
      }
      if (uz < halfPowTheta) {
        return base + 1;
      }
      return base + (long) (items * Math.pow(eta * u - eta + 1, alpha));
    }

    public double theta() {
      return theta;
    }
  }

  /**
   * YCSB's ScrambledZipfianGenerator: zipfian popularity, but the popular items are scattered over
   * [min, max] by a hash rather than clustered at its start. With YCSB's constant 0.99 it draws
   * from YCSB's 10^10-item zipfian (zeta precomputed by YCSB); with another constant it draws over
   * the range itself (zeta computed once, at construction).
   */
  public static LongSource scrambledZipfian(long min, long max, double theta) {
    long items = max - min + 1;
    final long itemCount = 10_000_000_000L;
    Zipfian zipf = theta == 0.99
        ? new Zipfian(0, itemCount, 0.99, 26.46902820178302)
        : new Zipfian(0, items - 1, theta);
    return r -> min + Long.remainderUnsigned(fnvhash64(zipf.next(r)), items);
  }

  /** YCSB's Utils.fnvhash64 over the 8 bytes of a long (the key scrambling of insertorder=hashed). */
  public static long fnvhash64(long val) {
    long hashval = 0xCBF29CE484222325L;
    for (int i = 0; i < 8; i++) {
      long octet = val & 0x00ff;
      val = val >> 8;
      hashval = hashval ^ octet;
      hashval = hashval * 1099511628211L;
    }
    return Math.abs(hashval);
  }
}
