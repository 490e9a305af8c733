package dev.raftbench.store.shard;

import java.nio.charset.StandardCharsets;

/**
 * The one key hash every partitioner uses: 64-bit FNV-1a over the key's UTF-8 bytes, finished
 * with MurmurHash3's fmix64 so that every output bit depends on every input bit (FNV alone mixes
 * its last bytes poorly, and YCSB keys differ mostly in their last digits).
 */
public final class KeyHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private KeyHash() {}

  public static long hash64(String key) {
    long h = FNV_OFFSET;
    int n = key.length();
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c >= 0x80) {
        return fmix64(fnv(key.getBytes(StandardCharsets.UTF_8)));
      }
      h ^= c;
      h *= FNV_PRIME;
    }
    return fmix64(h);
  }

  private static long fnv(byte[] bytes) {
    long h = FNV_OFFSET;
    for (byte b : bytes) {
      h ^= b & 0xFF;
      h *= FNV_PRIME;
    }
    return h;
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
