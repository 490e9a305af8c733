package dev.raftbench.store.shard;

/** hash(key) mod shards: the baseline every consistent scheme is compared with. */
public final class ModuloPartitioner implements Partitioner {
  private final int shards;

  public ModuloPartitioner(int shards) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    this.shards = shards;
  }

  @Override
  public String name() {
    return "modulo";
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public int shardOf(String key) {
    return (int) Long.remainderUnsigned(KeyHash.hash64(key), shards);
  }
}
