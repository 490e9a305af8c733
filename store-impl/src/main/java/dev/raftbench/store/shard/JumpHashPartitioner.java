package dev.raftbench.store.shard;

/** Lamping and Veach's jump consistent hash over {@link KeyHash#hash64}. */
public final class JumpHashPartitioner implements Partitioner {
  private final int shards;

  public JumpHashPartitioner(int shards) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    this.shards = shards;
  }

  @Override
  public String name() {
    return "jump";
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public int shardOf(String key) {
    return jump(KeyHash.hash64(key), shards);
  }

  /** "A Fast, Minimal Memory, Consistent Hash Algorithm" (2014), figure 1. */
  public static int jump(long key, int buckets) {
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }
}
