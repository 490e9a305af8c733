package dev.raftbench.store.shard;

import java.util.Arrays;

/**
 * A consistent-hash ring (Karger et al.) with virtual nodes: every shard owns {@code vnodes}
 * points; a key belongs to the first point at or after its hash, wrapping around.
 */
public final class RingPartitioner implements Partitioner {
  private final int shards;
  private final long[] points;
  private final int[] owners;

  public RingPartitioner(int shards, int vnodes) {
    if (shards <= 0 || vnodes <= 0) {
      throw new IllegalArgumentException("shards and vnodes must be positive");
    }
    this.shards = shards;
    int n = shards * vnodes;
    long[][] pairs = new long[n][2];
    for (int s = 0; s < shards; s++) {
      for (int v = 0; v < vnodes; v++) {
        pairs[s * vnodes + v][0] = KeyHash.hash64("shard-" + s + "#" + v);
        pairs[s * vnodes + v][1] = s;
      }
    }
    Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compare(a[1], b[1]));
    points = new long[n];
    owners = new int[n];
    for (int i = 0; i < n; i++) {
      points[i] = pairs[i][0];
      owners[i] = (int) pairs[i][1];
    }
  }

  @Override
  public String name() {
    return "ring";
  }

  /** The ring's points in unsigned order (a copy). */
  long[] points() {
    return points.clone();
  }

  /** The shard owning each point (a copy). */
  int[] owners() {
    return owners.clone();
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public int shardOf(String key) {
    return owners[pointIndex(KeyHash.hash64(key))];
  }

  /** The index of the first point at or after the hash (unsigned), wrapping around to 0. */
  int pointIndex(long h) {
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(points[mid], h) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == points.length ? 0 : lo;
  }
}
