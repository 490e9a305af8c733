package dev.raftbench.store.shard;

import java.util.List;

/**
 * What a hashing scheme may need to build itself.
 *
 * @param shards    buckets to map keys onto
 * @param vnodes    points per shard on a ring (ring only)
 * @param keySample keys of the workload, for schemes that split the key space by its contents
 *                  (range); empty when unknown
 */
public record PartitionerSpec(int shards, int vnodes, List<String> keySample) {
  public static final int DEFAULT_VNODES = 128;

  public PartitionerSpec {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    if (vnodes <= 0) {
      throw new IllegalArgumentException("vnodes must be positive, was " + vnodes);
    }
    keySample = List.copyOf(keySample);
  }

  public static PartitionerSpec of(int shards) {
    return new PartitionerSpec(shards, DEFAULT_VNODES, List.of());
  }
}
