package dev.raftbench.store.shard;

/** A hashing scheme: which shard (0 .. shards-1) owns a key. Implementations are immutable. */
public interface Partitioner {
  String name();

  int shards();

  int shardOf(String key);
}
