package dev.raftbench.store.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties every hashing scheme must have, and the balance and movement each one promises. */
class PartitionersTest {
  private static final List<String> KEYS = keys(1_000_000);

  private static List<String> keys(int n) {
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add("user" + i);
    }
    return keys;
  }

  private static Partitioner create(String name, int shards) {
    return Partitioners.create(name, new PartitionerSpec(shards, name.equals("ring") ? 1000 : PartitionerSpec.DEFAULT_VNODES, KEYS.subList(0, 100_000)));
  }

  private static double peakToMean(Partitioner p, List<String> keys) {
    long[] counts = new long[p.shards()];
    for (String k : keys) {
      counts[p.shardOf(k)]++;
    }
    long max = 0;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    return max / ((double) keys.size() / p.shards());
  }

  @ParameterizedTest
  @ValueSource(strings = {"jump", "modulo", "ring", "rendezvous", "maglev", "bounded", "range", "range-even"})
  void deterministicAndAlwaysAValidShard(String name) {
    for (int shards : new int[] {1, 2, 7, 100}) {
      Partitioner a = create(name, shards);
      Partitioner b = create(name, shards);
      assertThat(a.name()).isEqualTo(name);
      assertThat(a.shards()).isEqualTo(shards);
      for (int i = 0; i < 20_000; i++) {
        String key = "k" + i * 7919;
        int s = a.shardOf(key);
        assertThat(s).isBetween(0, shards - 1);
        assertThat(b.shardOf(key)).isEqualTo(s);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jump", "modulo", "rendezvous", "maglev"})
  void balanceNearPerfectWithAMillionUniformKeys(String name) {
    // binomial noise alone: mean 10,000 keys a shard at n = 100, sigma 1%; published ~1.02
    assertThat(peakToMean(create(name, 100), KEYS)).as(name + " at n=100").isLessThan(1.05);
    assertThat(peakToMean(create(name, 10), KEYS)).as(name + " at n=10").isLessThan(1.02);
  }

  @Test
  void ringBalanceDependsOnVirtualNodes() {
    double few = peakToMean(new RingPartitioner(100, 8), KEYS);
    double many = peakToMean(new RingPartitioner(100, 1000), KEYS);
    assertThat(many).as("1000 vnodes at n=100 (published ~1.07)").isLessThan(1.12);
    assertThat(few).as("8 vnodes").isGreaterThan(many);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jump", "ring", "rendezvous"})
  void addingAShardMovesKeysOnlyToItAndAboutTheIdealShare(String name) {
    for (int n : new int[] {10, 100}) {
      Partitioner before = create(name, n);
      Partitioner after = create(name, n + 1);
      int moved = 0;
      for (String k : KEYS) {
        int a = before.shardOf(k);
        int b = after.shardOf(k);
        if (a != b) {
          assertThat(b).as(name + ": a key moved between two old shards").isEqualTo(n);
          moved++;
        }
      }
      double ideal = KEYS.size() / (double) (n + 1);
      assertThat(moved / ideal).as(name + " moved / ideal at n=" + n).isBetween(0.8, 1.25);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jump", "ring", "rendezvous"})
  void removingTheLastShardMovesOnlyItsKeys(String name) {
    Partitioner before = create(name, 11);
    Partitioner after = create(name, 10);
    for (String k : KEYS.subList(0, 200_000)) {
      int a = before.shardOf(k);
      if (a != 10) {
        assertThat(after.shardOf(k)).as(name + " " + k).isEqualTo(a);
      }
    }
  }

  @Test
  void maglevDisruptionStaysCloseToIdeal() {
    Partitioner before = create("maglev", 100);
    Partitioner after = create("maglev", 101);
    int moved = 0;
    int toOld = 0;
    for (String k : KEYS) {
      int a = before.shardOf(k);
      int b = after.shardOf(k);
      if (a != b) {
        moved++;
        if (b != 100) {
          toOld++;
        }
      }
    }
    double ideal = KEYS.size() / 101.0;
    assertThat(moved / ideal).isBetween(0.8, 2.0);
    assertThat(toOld).as("maglev moves a few keys between old shards").isLessThan(moved / 2);
    assertThat(((MaglevPartitioner) before).tableSize()).isGreaterThan(100 * 100);
  }

  @Test
  void moduloIsNotConsistent() {
    Partitioner before = create("modulo", 10);
    Partitioner after = create("modulo", 11);
    long moved = KEYS.stream().limit(100_000).filter(k -> before.shardOf(k) != after.shardOf(k)).count();
    assertThat(moved).as("modulo moves about n/(n+1) of the keys").isGreaterThan(80_000);
  }

  @Test
  void rangeKeepsKeyOrderAndSplitsTheSampleEvenly() {
    List<String> sample = KEYS.subList(0, 100_000);
    RangePartitioner p = new RangePartitioner(8, sample);
    List<String> sorted = new ArrayList<>(sample);
    sorted.sort(null);
    int last = 0;
    for (String k : sorted) {
      int s = p.shardOf(k);
      assertThat(s).isGreaterThanOrEqualTo(last);
      last = s;
    }
    assertThat(peakToMean(p, sample)).isLessThan(1.001);
    assertThat(p.lowerBound(0)).isEmpty();
    assertThat(p.shardOf(p.lowerBound(3))).isEqualTo(3);
    assertThat(p.shardOf("")).isZero();
    assertThat(p.shardOf("\uffff")).isEqualTo(7);
    assertThatThrownBy(() -> new RangePartitioner(8, List.of("a", "b"))).hasMessageContaining("at least 8 distinct keys");
  }

  @Test
  void boundedLoadsCapEveryShardAtOnePlusEpsilonOfTheMean() {
    for (int n : new int[] {10, 100}) {
      RingPartitioner ring = new RingPartitioner(n, 16);
      BoundedLoadPartitioner bounded = new BoundedLoadPartitioner(n, 16, 0.1);
      double worst = java.util.Arrays.stream(bounded.shares()).max().orElseThrow();
      assertThat(worst * n).as("largest share of the hash space / mean at n=" + n).isLessThanOrEqualTo(1.1 + 1e-9);
      assertThat(java.util.Arrays.stream(bounded.shares()).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      // with 16 points a shard the plain ring is well above the bound; keys follow the shares (plus binomial noise)
      assertThat(peakToMean(ring, KEYS)).as("ring at n=" + n).isGreaterThan(1.15);
      assertThat(peakToMean(bounded, KEYS)).as("bounded at n=" + n).isLessThan(1.1 + 0.05);
    }
    assertThatThrownBy(() -> new PartitionerSpec(4, 16, List.of(), 0)).hasMessageContaining("balance epsilon must be a positive number");
  }

  @Test
  void boundedMovesMoreThanTheRingButNotEverything() {
    Partitioner before = Partitioners.create("bounded", new PartitionerSpec(100, 128, List.of(), 0.25));
    Partitioner after = Partitioners.create("bounded", new PartitionerSpec(101, 128, List.of(), 0.25));
    long moved = KEYS.stream().limit(200_000).filter(k -> before.shardOf(k) != after.shardOf(k)).count();
    // the ideal is 1/101 of the keys; forwarding arcs cascades some moves, far from modulo's 100/101
    assertThat(moved / (200_000 / 101.0)).isBetween(0.8, 10.0);
  }

  @Test
  void rangeEvenSplitsTheKeySpaceNotTheKeys() {
    // keys whose bytes take every value fill their key space evenly: an even split of it is even
    List<String> dense = new ArrayList<>();
    for (int i = 0; i < 65_536; i++) {
      dense.add("k" + (char) (i >>> 8) + (char) (i & 0xFF));
    }
    RangePartitioner evenDense = RangePartitioner.evenlySplit(8, dense);
    assertThat(evenDense.name()).isEqualTo("range-even");
    assertThat(peakToMean(evenDense, dense)).isLessThan(1.01);
    // decimal keys use 10 of each byte's 256 values: even zero-padded ordered ones split unevenly
    List<String> ordered = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      ordered.add(String.format("user%010d", i));
    }
    assertThat(peakToMean(RangePartitioner.evenlySplit(8, ordered), ordered)).as("ordered decimal keys").isGreaterThan(1.2);
    // YCSB's default keys ("user" + a hashed number, decimal, unpadded) use only the digits of
    // each byte's 256 values: split evenly over the space, most ranges are empty
    List<String> hashed = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      hashed.add("user" + (KeyHash.hash64("k" + i) >>> 1));
    }
    assertThat(peakToMean(RangePartitioner.evenlySplit(64, hashed), hashed)).as("range-even").isGreaterThan(4);
    assertThat(peakToMean(new RangePartitioner(64, hashed), hashed)).as("range from a sample").isLessThan(1.01);
    List<String> sorted = new ArrayList<>(hashed);
    sorted.sort(null);
    RangePartitioner p = RangePartitioner.evenlySplit(64, hashed);
    int last = 0;
    for (String k : sorted) {
      int shard = p.shardOf(k);
      assertThat(shard).isGreaterThanOrEqualTo(last);
      last = shard;
    }
  }

  @Test
  void unknownNamesAreRefused() {
    assertThatThrownBy(() -> Partitioners.create("astrology", 4)).hasMessageContaining("unknown hashing scheme 'astrology'");
  }
}
