package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
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
    runWithFault(engine, "kill-leader", dir);
  }

  /** etcd's members are processes: its leader is frozen (SIGSTOP) for 2 s, then let run, believing it still leads. */
  @ParameterizedTest
  @ValueSource(strings = {"etcd"})
  @Timeout(300)
  void pausingTheLeaderLosesNothingAndStaysLinearizable(String engine, @TempDir Path dir) throws Exception {
    runWithFault(engine, "pause-leader", dir);
  }

  private static void runWithFault(String engine, String action, Path dir) throws Exception {
    Path out = dir.resolve(action);
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", engine, "--shards", "2", "--recordcount", "100", "--threads", "4",
        "--warmup", "1s", "--duration", "10s", "--target", "1000", "--noise-floor", "0", "--event", "3s:" + action + ":2s", "--check-linearizability",
        "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode t = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(t.at("/events/0/action").asText()).isEqualTo(action);
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
