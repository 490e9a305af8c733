package dev.raftbench.store.shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Ordered key ranges: shard s holds keys from split[s-1] (inclusive) to split[s] (exclusive), in
 * String order. The split points are the quantiles of a sample of the workload's keys, so each
 * shard starts with about the same number of records (a pre-split, as TiKV or HBase do before a
 * bulk load). Scans visit only the shards their range covers.
 */
public final class RangePartitioner implements OrderedPartitioner {
  private final int shards;
  private final String[] lowerBounds; // lowerBounds[0] = ""

  public RangePartitioner(int shards, List<String> keySample) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    TreeSet<String> distinct = new TreeSet<>(keySample);
    if (shards > 1 && distinct.size() < shards) {
      throw new IllegalArgumentException("range hashing needs a sample of at least " + shards
          + " distinct keys to split " + shards + " shards, got " + distinct.size());
    }
    this.shards = shards;
    List<String> sorted = new ArrayList<>(distinct);
    lowerBounds = new String[shards];
    lowerBounds[0] = "";
    for (int s = 1; s < shards; s++) {
      lowerBounds[s] = sorted.get((int) ((long) s * sorted.size() / shards));
    }
  }

  @Override
  public String name() {
    return "range";
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
