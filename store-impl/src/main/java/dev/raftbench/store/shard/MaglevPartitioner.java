package dev.raftbench.store.shard;

import java.util.Arrays;

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016): every shard has a permutation of a prime-sized
 * lookup table and the shards take turns claiming their next preferred free slot; a key reads
 * table[hash mod M]. M must not change with the shard count (or every key moves): it is 65537,
 * the paper's choice, up to 655 shards, and the smallest prime above 100 × shards beyond; so shards
 * always differ in slot count by at most ~1%.
 */
public final class MaglevPartitioner implements Partitioner {
  static final int SMALL_TABLE = 65537;

  private final int shards;
  private final int[] table;

  public MaglevPartitioner(int shards) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    this.shards = shards;
    int m = 100L * shards < SMALL_TABLE ? SMALL_TABLE : nextPrime(100L * shards + 1);
    long[] offset = new long[shards];
    long[] skip = new long[shards];
    for (int s = 0; s < shards; s++) {
      offset[s] = Long.remainderUnsigned(KeyHash.hash64("maglev-offset-" + s), m);
      skip[s] = Long.remainderUnsigned(KeyHash.hash64("maglev-skip-" + s), m - 1) + 1;
    }
    table = new int[m];
    Arrays.fill(table, -1);
    long[] next = new long[shards];
    int filled = 0;
    while (true) {
      for (int s = 0; s < shards; s++) {
        long c = (offset[s] + next[s] * skip[s]) % m;
        while (table[(int) c] >= 0) {
          next[s]++;
          c = (offset[s] + next[s] * skip[s]) % m;
        }
        table[(int) c] = s;
        next[s]++;
        if (++filled == m) {
          return;
        }
      }
    }
  }

  static int nextPrime(long n) {
    for (long c = Math.max(n, 2); ; c++) {
      if (isPrime(c)) {
        if (c > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("maglev table too large");
        }
        return (int) c;
      }
    }
  }

  private static boolean isPrime(long c) {
    if (c < 2) {
      return false;
    }
    for (long d = 2; d * d <= c; d++) {
      if (c % d == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String name() {
    return "maglev";
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public int shardOf(String key) {
    return table[(int) Long.remainderUnsigned(KeyHash.hash64(key), table.length)];
  }

  int tableSize() {
    return table.length;
  }
}
