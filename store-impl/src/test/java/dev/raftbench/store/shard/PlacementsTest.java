package dev.raftbench.store.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlacementsTest {
  @Test
  void ringReproducesTheSeedsTableForFourNodesAndThreeReplicas() {
    assertThat(new RingPlacement().place(4, 4, 3)).containsExactly(
        List.of(0, 1, 2), List.of(1, 2, 3), List.of(2, 3, 0), List.of(3, 0, 1));
  }

  @Test
  void groupsAreDisjointSetsOfK() {
    List<List<Integer>> layout = new GroupsPlacement().place(7, 12, 3);
    for (List<Integer> members : layout) {
      int set = members.get(0) / 3;
      assertThat(members).allSatisfy(n -> assertThat(n / 3).isEqualTo(set));
      assertThat(members).doesNotContain(6); // the seventh node is left out: 7 / 3 = 2 sets
    }
    assertThat(layout.stream().map(m -> m.get(0)).distinct().count()).as("leaders rotate within each set").isEqualTo(6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "groups", "spread", "consistent"})
  void everyShardGetsKDistinctValidNodes(String name) {
    for (int n : new int[] {1, 3, 4, 5, 10}) {
      for (int k = 1; k <= Math.min(n, 5); k++) {
        for (List<Integer> members : Placements.create(name).place(n, 17, k)) {
          assertThat(members).hasSize(k);
          assertThat(new HashSet<>(members)).hasSize(k);
          assertThat(members).allSatisfy(i -> assertThat(i).isBetween(0, n - 1));
        }
      }
    }
  }

  @Test
  void spreadEvensOutReplicasAndLeaders() {
    for (int n : new int[] {3, 4, 5, 7, 10}) {
      for (int shards : new int[] {5, 8, 13, 64}) {
        List<List<Integer>> layout = new SpreadPlacement().place(n, shards, 3);
        int[] replicas = new int[n];
        int[] leaders = new int[n];
        for (List<Integer> m : layout) {
          m.forEach(i -> replicas[i]++);
          leaders[m.get(0)]++;
        }
        assertThat(spreadOf(replicas)).as("replicas n=%d shards=%d", n, shards).isLessThanOrEqualTo(1);
        assertThat(spreadOf(leaders)).as("leaders n=%d shards=%d", n, shards).isLessThanOrEqualTo(1);
      }
    }
  }

  private static int spreadOf(int[] counts) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int c : counts) {
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    return max - min;
  }

  /**
   * A node joining the consistent-hash placement takes replicas only onto itself: no replica moves
   * between nodes that were already there, and every shard keeps k - 1 of its old members.
   */
  @Test
  void aJoiningNodeOnlyTakesReplicasOntoItself() {
    List<String> before = List.of("n1", "n2", "n3", "n4", "n5");
    List<String> after = List.of("n1", "n2", "n3", "n4", "n5", "n6");
    List<List<String>> old = ConsistentPlacement.place(before, 64, 3);
    List<List<String>> now = ConsistentPlacement.place(after, 64, 3);
    int moved = 0;
    for (int s = 0; s < 64; s++) {
      List<String> was = old.get(s);
      List<String> added = now.get(s).stream().filter(n -> !was.contains(n)).toList();
      assertThat(added).as("shard %d", s).isSubsetOf(List.of("n6"));
      moved += added.size();
    }
    assertThat(moved).as("replicas the newcomer took").isPositive().isLessThan(64 * 3 / 2);
    assertThat(new ConsistentPlacement().place(6, 64, 3)).as("by index, the same as by id")
        .isEqualTo(now.stream().map(m -> m.stream().map(id -> Integer.parseInt(id.substring(1)) - 1).toList()).toList());
  }

  @Test
  void refusesMoreReplicasThanNodesAndUnknownNames() {
    assertThatThrownBy(() -> new RingPlacement().place(2, 4, 3)).hasMessageContaining("replication must lie in [1, nodes = 2]");
    assertThatThrownBy(() -> Placements.create("scatter")).hasMessageContaining("unknown placement 'scatter'");
  }
}
