package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class GateCommandTest {
  private static Path trial(Path dir, String name, String engine) {
    Path out = dir.resolve(name);
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", engine, "--duration", "2s", "--warmup", "1s", "--recordcount", "500",
        "--threads", "4", "--noise-floor", "0", "--forks", "0", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    return out;
  }

  @Test
  @Timeout(120)
  void passesOnTheBaselineAndFailsOnADeliberateRegression(@TempDir Path dir) throws Exception {
    Path baseline = trial(dir, "baseline", "local");
    Path again = trial(dir, "again", "local");
    Path slow = trial(dir, "slow", "slow-test"); // every write 2 ms late

    // two short runs on a shared machine: the figures that must hold, and tails with a floor
    Path sameRules = dir.resolve("same-rules");
    Files.writeString(sameRules, "/summary/errors max-increase 0\n/verify/lost max-increase 0\n/summary/throughput_ops_s min-ratio 0.3\n"
        + "/summary/ops/*/p99_us max-ratio 10 2000\n");
    HarnessCli same = HarnessCli.run("gate", "--baseline", baseline.resolve("trial.json").toString(), "--candidate", again.toString(),
        "--rules", sameRules.toString());
    assertThat(same.code).as(same.out + same.err).isZero();
    assertThat(same.out).contains("/summary/throughput_ops_s").contains("/summary/ops/UPDATE/p99_us").contains(">= 2,000").contains("gate: passed");

    HarnessCli regressed = HarnessCli.run("gate", "--baseline", baseline.toString(), "--candidate", slow.toString());
    assertThat(regressed.code).isEqualTo(Harness.FAILED);
    assertThat(regressed.out).contains("REGRESSION").contains("gate: FAILED");
    assertThat(regressed.out.lines().filter(l -> l.startsWith("/summary/throughput_ops_s")).findFirst().orElseThrow()).endsWith("REGRESSION");

    // a rules file: exact figures and a tolerance of its own
    Path rules = dir.resolve("rules");
    Files.writeString(rules, "# deterministic\n/load/records equal 0\n/verify/lost max-increase 0   # nothing lost\n");
    HarnessCli exact = HarnessCli.run("gate", "--baseline", baseline.toString(), "--candidate", slow.toString(), "--rules", rules.toString());
    assertThat(exact.code).as(exact.out).isZero();
  }

  @Test
  void figuresTheBaselineLacksAreNotJudged_andAPatternMustMatch(@TempDir Path dir) throws Exception {
    Path b = dir.resolve("b.json");
    Files.writeString(b, "{\"schema\":\"raftbench.trial/1\",\"summary\":{\"errors\":0,\"ops\":{\"READ\":{\"p99_us\":null}}},"
        + "\"verify\":{\"performed\":false}}");
    HarnessCli r = HarnessCli.run("gate", "--baseline", b.toString(), "--candidate", b.toString());
    assertThat(r.code).as(r.out + r.err).isZero(); // lost writes and a null p99: n/a, not judged
    assertThat(r.out).contains("n/a");
    Path rules = dir.resolve("rules");
    Files.writeString(rules, "/summary/opz/*/p99_us max-ratio 3\n");
    r = HarnessCli.run("gate", "--baseline", b.toString(), "--candidate", b.toString(), "--rules", rules.toString());
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains("names nothing in the baseline");
    assertThat(GateCommand.passes(new GateCommand.Rule("/x", "max-ratio", 3, 500), 100, 450)).as("the floor").isTrue();
    assertThat(GateCommand.passes(new GateCommand.Rule("/x", "max-ratio", 3, 500), 100, 550)).isFalse();
  }

  @Test
  void badInputIsOneLine(@TempDir Path dir) throws Exception {
    HarnessCli none = HarnessCli.run("gate", "--baseline", dir.resolve("nope").toString(), "--candidate", dir.toString());
    assertThat(none.code).isEqualTo(Harness.USAGE);
    assertThat(none.err.strip().lines()).hasSize(1);
    assertThat(none.err).contains("--baseline").contains("has no trial.json");

    Path notTrial = dir.resolve("x.json");
    Files.writeString(notTrial, "{\"schema\":\"something/1\"}");
    HarnessCli wrong = HarnessCli.run("gate", "--baseline", notTrial.toString(), "--candidate", notTrial.toString());
    assertThat(wrong.err).contains("is not a RaftBench trial.json");

    Path trial = dir.resolve("t.json");
    Files.writeString(trial, "{\"schema\":\"raftbench.trial/1\",\"summary\":{\"errors\":0}}");
    Path rules = dir.resolve("rules");
    Files.writeString(rules, "/summary/errors at-most 0\n");
    HarnessCli badRule = HarnessCli.run("gate", "--baseline", trial.toString(), "--candidate", trial.toString(), "--rules", rules.toString());
    assertThat(badRule.code).isEqualTo(Harness.USAGE);
    assertThat(badRule.err).contains("line 1: expected 'JSON-POINTER max-increase|max-ratio|min-ratio|equal VALUE [FLOOR]'");
  }
}
