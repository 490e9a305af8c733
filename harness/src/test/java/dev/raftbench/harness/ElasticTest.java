package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.raftbench.store.shard.ConsistentPlacement;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A node joins, then one leaves, under a running workload A, on real clusters, with either
 * coordinator: replicas move onto the newcomer, then off the lowest-numbered node, through the
 * engine's membership changes. Nothing acknowledged is lost, the history is linearizable, and
 * after each change every shard has exactly k = 3 replicas, all on live nodes: with {@code pd}
 * spread to within one replica and one leader per node in the fewest moves that balance; with
 * {@code ring} exactly where consistent hashing of the member list puts them.
 */
class ElasticTest {
  @ParameterizedTest
  @CsvSource({"ratis,embedded,pd", "sofajraft,processes,pd", "ratis,embedded,ring", "sofajraft,embedded,ring"})
  @Timeout(300) // a guard against hangs, not a timing assertion
  void aNodeJoinsThenOneLeavesAndNothingIsLost(String engine, String cluster, String coordinator, @TempDir Path dir) throws Exception {
    Path out = dir.resolve("elastic");
    // transfer-leaders on SOFAJRaft only: Ratis takes many seconds a transfer here, and the test would grow by a minute
    boolean rotate = engine.equals("sofajraft");
    // node JVMs start cold and the join starts one more: it took 16 of the 20 s here, so the other
    // events would come after the window; 30 s keeps them inside it
    int seconds = cluster.equals("processes") ? 30 : 20;
    List<String> args = new ArrayList<>(List.of("run", "workload-a", "--engine", engine, "--cluster", cluster, "--coordinator", coordinator,
        "--nodes", "3", "--shards", "6", "--recordcount", "100", "--threads", "4", "--warmup", "1s", "--duration", seconds + "s", "--target", "300",
        "--noise-floor", "0", "--event", "2s:add-node", "--event", "11s:remove-node", "--check-linearizability", "--quiet",
        "--out", out.toString()));
    if (rotate) {
      args.addAll(List.of("--event", "7s:transfer-leaders"));
    }
    HarnessCli r = HarnessCli.run(args.toArray(String[]::new));
    assertThat(r.code).as(r.err).isZero();
    JsonNode t = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    JsonNode join = t.at("/events/0");
    JsonNode leave = t.at(rotate ? "/events/2" : "/events/1");
    if (rotate) {
      JsonNode rotated = t.at("/events/1");
      assertThat(rotated.path("action").asText()).isEqualTo("transfer-leaders");
      assertThat(rotated.path("error").isNull()).as(rotated.toString()).isTrue();
      assertThat(rotated.at("/placement/leaders_moved").asInt()).as("every shard with a leader").isPositive().isLessThanOrEqualTo(6);
    }
    assertThat(join.path("error").isNull()).as(join.toString()).isTrue();
    assertThat(leave.path("error").isNull()).as(leave.toString()).isTrue();
    assertThat(join.path("action").asText()).isEqualTo("add-node");
    assertThat(join.at("/nodes/0").asText()).isEqualTo("n4");
    assertThat(leave.at("/nodes/0").asText()).isEqualTo("n1");
    assertThat(t.at("/spec/coordinator").asText()).isEqualTo(coordinator);
    assertThat(join.at("/placement/coordinator").asText()).isEqualTo(coordinator);
    List<String> four = List.of("n1", "n2", "n3", "n4");
    List<String> three = List.of("n2", "n3", "n4");
    if (coordinator.equals("pd")) {
      // 18 replicas on 4 nodes: the newcomer's share is 4, each move gives it one
      assertThat(join.at("/placement/replicas_moved").asInt()).isEqualTo(join.at("/placement/ideal_moves").asInt()).isEqualTo(4);
      assertBalanced(join.at("/placement"), four);
      assertBalanced(leave.at("/placement"), three);
      // the pd's own Raft group got the map of every shard at start, then each membership change (two a move)
      assertThat(join.at("/placement/map_writes").asLong()).isEqualTo(6 + 2 * join.at("/placement/replicas_moved").asLong());
      assertThat(leave.at("/placement/map_writes").asLong())
          .isEqualTo(join.at("/placement/map_writes").asLong() + 2 * leave.at("/placement/replicas_moved").asLong());
    } else {
      assertThat(t.at("/spec/placement").asText()).isEqualTo("consistent");
      assertWhereTheRingSays(join.at("/placement"), four);
      assertWhereTheRingSays(leave.at("/placement"), three);
      assertThat(join.at("/placement/map_writes").isMissingNode()).as("ring keeps no map").isTrue();
    }
    assertThat(leave.at("/placement/replicas_moved").asInt()).isEqualTo(leave.at("/placement/ideal_moves").asInt());
    // the newcomer's replicas were sent data (a disk log: the engine can tell how much)
    assertThat(join.at("/placement/bytes_moved").asLong()).as(join.toString()).isPositive();
    // the client's shard map went stale with the join's changes: replicas refused, the client
    // refreshed and retried. Events run one after another and may end after the measured window
    // (sofajraft/processes in 20 s: the join took 16 s, the leave ended at 22 s); an epoch committed
    // once the workload stopped meets no operation, as in one CI run that counted none. So the
    // count must be positive when the join ended 2 s (some 600 operations) before the window
    // closed; EngineConformanceSuite asserts each refusal exactly, per engine.
    long stale = t.at("/summary/client_stale_epoch_retries").asLong();
    double joinEnded = join.path("at_s").asDouble() + join.at("/placement/seconds").asDouble();
    assertThat(stale).as(t.at("/summary").toString()).isNotNegative().isLessThanOrEqualTo(t.at("/summary/client_retries").asLong());
    if (joinEnded <= seconds - 2) {
      assertThat(stale).as("join ended at %.1f s of %d: %s", joinEnded, seconds, t.at("/summary")).isPositive();
    }
    // the summary names each failed type's first error (sample_error): a failure here says what failed
    assertThat(t.at("/summary/errors").asLong()).as(t.at("/summary/ops").toString()).isZero();
    assertThat(t.at("/verify/lost").asLong()).isZero();
    assertThat(t.at("/verify/unreadable").asLong()).isZero();
    assertThat(t.at("/linearizability/result").asText()).isEqualTo("ok");
    assertThat(Files.readString(out.resolve("timeseries.csv"))).contains("add-node n4").contains("remove-node n1");
  }

  /** Replicas per node exactly as consistent hashing of the live nodes places 6 shards x 3. */
  private static void assertWhereTheRingSays(JsonNode placement, List<String> live) {
    Map<String, Integer> expected = new TreeMap<>();
    live.forEach(n -> expected.put(n, 0));
    ConsistentPlacement.place(live, 6, 3).forEach(members -> members.forEach(n -> expected.merge(n, 1, Integer::sum)));
    Map<String, Integer> actual = new TreeMap<>();
    placement.path("replicas_per_node").fields().forEachRemaining(e -> actual.put(e.getKey(), e.getValue().asInt()));
    assertThat(actual).isEqualTo(expected);
  }

  /** 6 shards x 3 replicas on exactly the live nodes given, to within one replica and one leader per node. */
  private static void assertBalanced(JsonNode placement, List<String> live) {
    List<String> nodes = new ArrayList<>();
    placement.path("replicas_per_node").fieldNames().forEachRemaining(nodes::add);
    assertThat(nodes).containsExactlyElementsOf(live);
    List<Integer> replicas = new ArrayList<>();
    placement.path("replicas_per_node").forEach(n -> replicas.add(n.asInt()));
    assertThat(replicas.stream().mapToInt(Integer::intValue).sum()).isEqualTo(18);
    assertThat(replicas.stream().mapToInt(Integer::intValue).max().orElseThrow() - replicas.stream().mapToInt(Integer::intValue).min().orElseThrow())
        .isLessThanOrEqualTo(1);
    List<Integer> leaders = new ArrayList<>();
    placement.path("leaders_per_node").forEach(n -> leaders.add(n.asInt()));
    assertThat(leaders.stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
    assertThat(leaders.stream().mapToInt(Integer::intValue).max().orElseThrow() - leaders.stream().mapToInt(Integer::intValue).min().orElseThrow())
        .isLessThanOrEqualTo(1);
  }
}
