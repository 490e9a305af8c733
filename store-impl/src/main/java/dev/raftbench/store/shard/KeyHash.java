package dev.raftbench.store.shard;

/**
 * The one key hash every partitioner uses: Java's {@code String.hashCode()} (specified by the
 * language, the same on every JVM) finished with MurmurHash3's fmix64, so that every output bit
 * depends on every input bit. A String caches its hashCode, so a key routed many times (the
 * workload keeps its key names) is hashed once. It carries 32 bits of the key: two keys that
 * collide only share a shard, which routing allows.
 */
public final class KeyHash {
  private KeyHash() {}

  public static long hash64(String key) {
    return fmix64(key.hashCode() & 0xFFFFFFFFL);
  }

  public static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
