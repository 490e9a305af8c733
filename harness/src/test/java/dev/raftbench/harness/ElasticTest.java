package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A node joins, then one leaves, under a running workload A, on real clusters: the placement
 * driver moves 2 of the 6 shards' replicas onto the newcomer, then every replica off the
 * lowest-numbered node, through the engine's membership changes. Nothing acknowledged is lost,
 * the history is linearizable, and after each change every shard has exactly k = 3 replicas, all
 * on live nodes, spread to within one replica and one leader per node.
 */
class ElasticTest {
  @ParameterizedTest
  @CsvSource({"ratis,embedded", "sofajraft,embedded", "sofajraft,processes"})
  @Timeout(300) // a guard against hangs, not a timing assertion
  void aNodeJoinsThenOneLeavesAndNothingIsLost(String engine, String cluster, @TempDir Path dir) throws Exception {
    Path out = dir.resolve("elastic");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", engine, "--cluster", cluster, "--nodes", "3", "--shards", "6",
        "--recordcount", "100", "--threads", "4", "--warmup", "1s", "--duration", "20s", "--target", "300", "--noise-floor", "0",
        "--event", "2s:add-node", "--event", "10s:remove-node", "--check-linearizability", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode t = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    JsonNode join = t.at("/events/0");
    JsonNode leave = t.at("/events/1");
    assertThat(join.path("error").isNull()).as(join.toString()).isTrue();
    assertThat(leave.path("error").isNull()).as(leave.toString()).isTrue();
    assertThat(join.path("action").asText()).isEqualTo("add-node");
    assertThat(join.at("/nodes/0").asText()).isEqualTo("n4");
    assertThat(leave.at("/nodes/0").asText()).isEqualTo("n1");
    // 18 replicas on 4 nodes: the newcomer's share is 4, each move gives it one
    assertThat(join.at("/placement/replicas_moved").asInt()).isEqualTo(join.at("/placement/ideal_moves").asInt()).isEqualTo(4);
    assertBalanced(join.at("/placement"), List.of("n1", "n2", "n3", "n4"));
    assertThat(leave.at("/placement/replicas_moved").asInt()).isEqualTo(leave.at("/placement/ideal_moves").asInt());
    assertBalanced(leave.at("/placement"), List.of("n2", "n3", "n4"));
    assertThat(t.at("/summary/errors").asLong()).isZero();
    assertThat(t.at("/verify/lost").asLong()).isZero();
    assertThat(t.at("/verify/unreadable").asLong()).isZero();
    assertThat(t.at("/linearizability/result").asText()).isEqualTo("ok");
    assertThat(Files.readString(out.resolve("timeseries.csv"))).contains("add-node n4").contains("remove-node n1");
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
