package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fault during a real trial of each Raft engine (forked, embedded cluster; etcd's members are
 * child processes, killed with SIGKILL): shard 0's leader stopped and started again, or on etcd
 * also frozen and let run. Nothing acknowledged is lost, every operation succeeds in the end
 * (the client retries), every key reads back, the history is linearizable, the event is in the
 * bundle and the time series, and the longest gap per shard is measured. Open loop at a fixed
 * rate, so the operations per key stay well inside the linearizability checker's per-key cap.
 */
class FaultsTest {
  @ParameterizedTest
  @ValueSource(strings = {"ratis", "sofajraft", "atomix", "etcd"})
  @Timeout(300) // a guard against hangs, not a timing assertion
  void killingTheLeaderLosesNothingAndTheGapIsMeasured(String engine, @TempDir Path dir) throws Exception {
    runWithFault(engine, "embedded", "kill-leader", dir);
  }

  /**
   * Nodes as processes of their own: shard 0's leader (or, kill-node, a follower) is killed with
   * SIGKILL, or the leader is frozen with SIGSTOP for 2 s and let run again, believing it still
   * leads (etcd's members are processes in either mode).
   */
  @ParameterizedTest
  @CsvSource({"ratis,kill-leader", "ratis,pause-leader", "ratis,kill-node", "sofajraft,kill-leader", "sofajraft,pause-leader", "etcd,pause-leader"})
  @Timeout(300)
  void processesSurviveAKillOrAFreeze(String engine, String action, @TempDir Path dir) throws Exception {
    runWithFault(engine, "processes", action, dir);
  }

  /**
   * The broken-read mode on a real engine: Ratis with {@code --reads stale} lets any replica answer
   * from its own state, and a follower has not always applied a write the leader acknowledged. The
   * checker must refuse the history, and the trial must fail with the offending operations.
   */
  @Test
  @Timeout(300)
  void staleReadsFromFollowersAreCaught(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("stale");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "ratis", "--cluster", "processes", "--shards", "1", "--recordcount", "20",
        "--threads", "4", "--warmup", "1s", "--duration", "10s", "--target", "1000", "--noise-floor", "0", "--reads", "stale",
        "--check-linearizability", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isEqualTo(1);
    JsonNode t = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(t.at("/linearizability/result").asText()).isEqualTo("violation");
    assertThat(t.at("/linearizability/offending").size()).isPositive();
    assertThat(t.at("/verify/lost").asLong()).as("stale reads lose nothing: the writes are all there").isZero();
    assertThat(r.out + r.err).contains("linearizability: violation");
  }

  private static void runWithFault(String engine, String cluster, String action, Path dir) throws Exception {
    Path out = dir.resolve(action);
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", engine, "--cluster", cluster, "--shards", "2", "--recordcount", "100",
        "--threads", "4", "--warmup", "1s", "--duration", "10s", "--target", "1000", "--noise-floor", "0", "--event", "3s:" + action + ":2s",
        "--check-linearizability", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode t = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(t.at("/events/0/action").asText()).isEqualTo(action);
    assertThat(t.at("/spec/cluster").asText()).isEqualTo(cluster);
    assertThat(t.at("/events/0/nodes").size()).isEqualTo(1);
    assertThat(t.at("/events/0/error").isNull()).as(t.at("/events/0").toString()).isTrue();
    assertThat(t.at("/summary/errors").asLong()).isZero();
    assertThat(t.at("/verify/lost").asLong()).isZero();
    assertThat(t.at("/verify/unreadable").asLong()).isZero();
    assertThat(t.at("/linearizability/result").asText()).isEqualTo("ok");
    assertThat(t.at("/availability/measured").asBoolean()).isTrue();
    assertThat(t.at("/availability/per_shard_max_gap_ms")).hasSize(2);
    assertThat(t.at("/availability/max_gap_ms").asDouble()).isPositive()
        .isEqualTo(Math.max(t.at("/availability/per_shard_max_gap_ms/0").asDouble(), t.at("/availability/per_shard_max_gap_ms/1").asDouble()));
    assertThat(Files.readString(out.resolve("timeseries.csv"))).contains(action + " n");
    assertThat(javax.imageio.ImageIO.read(out.resolve("charts/timeseries.png").toFile())).isNotNull();
    assertThat(r.out).contains("event: " + action).contains("availability: ").contains("linearizability: ok");
  }
}
