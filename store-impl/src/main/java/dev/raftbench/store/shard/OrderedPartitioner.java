package dev.raftbench.store.shard;

/**
 * A partitioner whose shards hold consecutive key ranges in shard order: shard s holds the keys
 * from {@link #lowerBound(int) lowerBound(s)} (inclusive) to lowerBound(s + 1) (exclusive). A scan
 * visits only the shards its range covers.
 */
public interface OrderedPartitioner extends Partitioner {
  /** The smallest key of the shard; "" for shard 0. */
  String lowerBound(int shard);
}
