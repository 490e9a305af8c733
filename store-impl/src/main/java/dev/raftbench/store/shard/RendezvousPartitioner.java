package dev.raftbench.store.shard;

/**
 * Rendezvous (highest random weight) hashing, Thaler and Ravishankar: the key goes to the shard
 * whose weight fmix64(hash(key) xor seed(shard)) is highest. O(shards) per lookup.
 */
public final class RendezvousPartitioner implements Partitioner {
  private final long[] seeds;

  public RendezvousPartitioner(int shards) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    seeds = new long[shards];
    for (int s = 0; s < shards; s++) {
      seeds[s] = KeyHash.hash64("shard-" + s);
    }
  }

  @Override
  public String name() {
    return "rendezvous";
  }

  @Override
  public int shards() {
    return seeds.length;
  }

  @Override
  public int shardOf(String key) {
    long h = KeyHash.hash64(key);
    int best = 0;
    long bestWeight = KeyHash.fmix64(h ^ seeds[0]);
    for (int s = 1; s < seeds.length; s++) {
      long w = KeyHash.fmix64(h ^ seeds[s]);
      if (Long.compareUnsigned(w, bestWeight) > 0) {
        best = s;
        bestWeight = w;
      }
    }
    return best;
  }
}
