package dev.raftbench.store.shard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JumpHashPartitionerTest {
  @Test
  void spreadsYcsbKeysEvenly() {
    int shards = 8;
    int[] counts = new int[shards];
    Partitioner p = new JumpHashPartitioner(shards);
    int n = 80_000;
    for (int i = 0; i < n; i++) {
      counts[p.shardOf("user" + i)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(n / shards * 9 / 10, n / shards * 11 / 10);
    }
  }

  @Test
  void addingAShardMovesOnlyTheKeysItTakes() {
    Partitioner eight = new JumpHashPartitioner(8);
    Partitioner nine = new JumpHashPartitioner(9);
    int moved = 0;
    int n = 90_000;
    for (int i = 0; i < n; i++) {
      int a = eight.shardOf("user" + i);
      int b = nine.shardOf("user" + i);
      if (a != b) {
        assertThat(b).isEqualTo(8);
        moved++;
      }
    }
    assertThat(moved).isBetween(n / 9 * 9 / 10, n / 9 * 11 / 10);
  }

  @Test
  void keyHashAndJumpArePinned() {
    // the key hash decides where every record lives: a change here must be deliberate
    // (fmix64 of String.hashCode since the second session; FNV-1a over UTF-8 before)
    assertThat(KeyHash.hash64("user1")).isEqualTo(2008174450933827297L);
    assertThat(KeyHash.hash64("")).isZero(); // fmix64(0) = 0
    assertThat(new JumpHashPartitioner(8).shardOf("user1")).isEqualTo(6);
    assertThat(new JumpHashPartitioner(8).shardOf("user6284781860667377211")).isEqualTo(7);
    assertThat(JumpHashPartitioner.jump(123456789L, 1000)).isEqualTo(294);
    assertThat(new JumpHashPartitioner(1).shardOf("anything")).isZero();
  }
}
