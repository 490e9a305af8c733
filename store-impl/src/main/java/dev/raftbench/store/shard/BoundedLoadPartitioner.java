package dev.raftbench.store.shard;

import java.util.Arrays;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, 2018) on the ring of
 * {@link RingPartitioner}: no shard may hold more than {@code (1 + epsilon)} times the mean. A key
 * router keeps no state, so the balls being placed are the ring's arcs, weighted by the share of
 * the hash space each covers: walking the ring from hash 0, each arc goes to the shard owning its
 * end point if that shard has room, else to the next shard clockwise that has room. Lookups are
 * then the ring's binary search.
 */
public final class BoundedLoadPartitioner implements Partitioner {
  private final int shards;
  private final RingPartitioner ring;
  private final long[] points;
  private final int[] assigned;

  public BoundedLoadPartitioner(int shards, int vnodes, double epsilon) {
    if (shards <= 0 || vnodes <= 0) {
      throw new IllegalArgumentException("shards and vnodes must be positive");
    }
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("balance epsilon must be a positive number, was " + epsilon);
    }
    this.shards = shards;
    this.ring = new RingPartitioner(shards, vnodes);
    this.points = ring.points();
    int[] owners = ring.owners();
    int n = points.length;
    double capacity = (1 + epsilon) / shards; // shares of the whole hash space
    double[] load = new double[shards];
    assigned = new int[n];
    for (int i = 0; i < n; i++) {
      // arc i runs from the previous point (exclusive) to point i (inclusive); arc 0 wraps around
      long from = i == 0 ? points[n - 1] : points[i - 1];
      double share = n == 1 ? 1.0 : unsignedShare(points[i] - from);
      int chosen = -1;
      for (int step = 0; step < n; step++) {
        int s = owners[(i + step) % n];
        if (load[s] + share <= capacity) {
          chosen = s;
          break;
        }
      }
      if (chosen < 0) { // an arc larger than any room left: the least loaded shard takes it
        chosen = 0;
        for (int s = 1; s < shards; s++) {
          if (load[s] < load[chosen]) {
            chosen = s;
          }
        }
      }
      load[chosen] += share;
      assigned[i] = chosen;
    }
  }

  /** An unsigned 64-bit distance as a share of 2^64 (0 means the whole ring, one point alone). */
  private static double unsignedShare(long distance) {
    if (distance == 0) {
      return 1.0;
    }
    double d = distance >= 0 ? distance : (distance >>> 1) * 2.0 + (distance & 1);
    return d / 18446744073709551616.0;
  }

  @Override
  public String name() {
    return "bounded";
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public int shardOf(String key) {
    return assigned[ring.pointIndex(KeyHash.hash64(key))];
  }

  /** Each shard's share of the hash space (for tests and the hashing study). */
  double[] shares() {
    double[] load = new double[shards];
    int n = points.length;
    for (int i = 0; i < n; i++) {
      long from = i == 0 ? points[n - 1] : points[i - 1];
      load[assigned[i]] += n == 1 ? 1.0 : unsignedShare(points[i] - from);
    }
    return Arrays.copyOf(load, shards);
  }
}
