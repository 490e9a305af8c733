package dev.raftbench.store.shard;

import java.util.ArrayList;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Ordered key ranges: shard s holds keys from split[s-1] (inclusive) to split[s] (exclusive), in
 * String order. Scans visit only the shards their range covers. Two pre-splits, as TiKV or HBase
 * do before a bulk load: {@code range} puts the split points at the quantiles of a sample of the
 * workload's keys, so each shard starts with about the same number of records; {@code range-even}
 * spaces them evenly over the key space between the workload's smallest and largest key, read as
 * big-endian numbers (HBase's UniformSplit), which knows nothing of how the keys are spread.
 */
public final class RangePartitioner implements OrderedPartitioner {
  private final int shards;
  private final String[] lowerBounds; // lowerBounds[0] = ""

  private final String name;

  public RangePartitioner(int shards, List<String> keySample) {
    this("range", shards, quantiles(shards, keySample));
  }

  private RangePartitioner(String name, int shards, String[] lowerBounds) {
    this.name = name;
    this.shards = shards;
    this.lowerBounds = lowerBounds;
  }

  /** Split points evenly over the key space from the sample's smallest key to its largest. */
  public static RangePartitioner evenlySplit(int shards, List<String> keySample) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    if (shards > 1 && keySample.size() < 2) {
      throw new IllegalArgumentException("range-even hashing needs the workload's smallest and largest key");
    }
    String[] bounds = new String[shards];
    bounds[0] = "";
    if (shards > 1) {
      String lo = keySample.stream().min(String::compareTo).orElseThrow();
      String hi = keySample.stream().max(String::compareTo).orElseThrow();
      int width = Math.max(lo.length(), hi.length()) + 1; // one more digit, so the steps stay distinct
      BigInteger a = number(lo, width);
      BigInteger span = number(hi, width).subtract(a);
      for (int s = 1; s < shards; s++) {
        bounds[s] = string(a.add(span.multiply(BigInteger.valueOf(s)).divide(BigInteger.valueOf(shards))), width);
        if (bounds[s].compareTo(bounds[s - 1]) <= 0) {
          throw new IllegalArgumentException("range-even cannot split the keys from '" + lo + "' to '" + hi + "' into " + shards + " ranges");
        }
      }
    }
    return new RangePartitioner("range-even", shards, bounds);
  }

  /** The key's chars (Latin-1: one byte each) as a base-256 number of {@code width} digits, zero-padded on the right. */
  private static BigInteger number(String key, int width) {
    byte[] b = new byte[width];
    for (int i = 0; i < key.length() && i < width; i++) {
      b[i] = (byte) Math.min(key.charAt(i), 0xFF);
    }
    return new BigInteger(1, b);
  }

  private static String string(BigInteger n, int width) {
    byte[] raw = n.toByteArray();
    char[] c = new char[width];
    int offset = raw.length - width; // raw may carry a leading sign byte, or be shorter
    for (int i = 0; i < width; i++) {
      int j = i + offset;
      c[i] = j < 0 ? 0 : (char) (raw[j] & 0xFF);
    }
    int end = width;
    while (end > 1 && c[end - 1] == 0) {
      end--;
    }
    return new String(c, 0, end);
  }

  private static String[] quantiles(int shards, List<String> keySample) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    TreeSet<String> distinct = new TreeSet<>(keySample);
    if (shards > 1 && distinct.size() < shards) {
      throw new IllegalArgumentException("range hashing needs a sample of at least " + shards
          + " distinct keys to split " + shards + " shards, got " + distinct.size());
    }
    List<String> sorted = new ArrayList<>(distinct);
    String[] bounds = new String[shards];
    bounds[0] = "";
    for (int s = 1; s < shards; s++) {
      bounds[s] = sorted.get((int) ((long) s * sorted.size() / shards));
    }
    return bounds;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public int shardOf(String key) {
    int i = Arrays.binarySearch(lowerBounds, key);
    return i >= 0 ? i : -i - 2;
  }

  @Override
  public String lowerBound(int shard) {
    return lowerBounds[shard];
  }
}
