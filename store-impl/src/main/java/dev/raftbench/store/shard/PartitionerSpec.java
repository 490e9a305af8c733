package dev.raftbench.store.shard;

import java.util.List;

/**
 * What a hashing scheme may need to build itself.
 *
 * @param shards    buckets to map keys onto
 * @param vnodes    points per shard on a ring (ring only)
 * @param keySample keys of the workload, for schemes that split the key space by its contents
 *                  (range, range-even); empty when unknown
 * @param balanceEpsilon bounded: no shard holds more than (1 + epsilon) times the mean
 */
public record PartitionerSpec(int shards, int vnodes, List<String> keySample, double balanceEpsilon) {
  public static final int DEFAULT_VNODES = 128;
  public static final double DEFAULT_BALANCE_EPSILON = 0.25;

  public PartitionerSpec {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    if (vnodes <= 0) {
      throw new IllegalArgumentException("vnodes must be positive, was " + vnodes);
    }
    if (!(balanceEpsilon > 0) || !Double.isFinite(balanceEpsilon)) {
      throw new IllegalArgumentException("balance epsilon must be a positive number, was " + balanceEpsilon);
    }
    keySample = List.copyOf(keySample);
  }

  public PartitionerSpec(int shards, int vnodes, List<String> keySample) {
    this(shards, vnodes, keySample, DEFAULT_BALANCE_EPSILON);
  }

  public static PartitionerSpec of(int shards) {
    return new PartitionerSpec(shards, DEFAULT_VNODES, List.of(), DEFAULT_BALANCE_EPSILON);
  }
}
