package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --warmup DURATION|auto[:MAX[:BLOCK]]}: the rule that ends an automatic warm-up, and what a bundle says of it. */
class WarmupTest {
  @Test
  void parsesAFixedTimeOrAutoWithItsLimits() {
    assertThat(Warmup.parse("10s")).isEqualTo(Warmup.fixed(Duration.ofSeconds(10)));
    assertThat(Warmup.parse("auto")).isEqualTo(new Warmup(true, Duration.ofMinutes(5), Duration.ofSeconds(5)));
    assertThat(Warmup.parse("AUTO:3m")).isEqualTo(new Warmup(true, Duration.ofMinutes(3), Duration.ofSeconds(5)));
    assertThat(Warmup.parse("auto:90s:2s")).isEqualTo(new Warmup(true, Duration.ofSeconds(90), Duration.ofSeconds(2)));
    assertThatThrownBy(() -> Warmup.parse("auto:11s:2s")).isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("leaves no room for 6 blocks of 2 s");
  }

  @Test
  void aClimbIsNotAPlateau() {
    // SOFAJRaft in processes, 16 workers, ops/s per 5 s block while its four JVMs compiled
    // (measured here, 2026-12-07): two windows would have called the first four blocks level
    List<Double> climbing = List.of(831.0, 844.0, 868.0, 941.0, 1029.0, 1436.0, 1567.0, 1927.0, 2178.0, 2427.0, 2652.0, 2952.0,
        2861.0, 3459.0, 3722.0, 3740.0, 4105.0, 3902.0);
    List<Double> seen = new ArrayList<>();
    for (double r : climbing) {
      seen.add(r);
      assertThat(Warmup.levelled(seen)).as("after %s", seen).isFalse();
    }
    // then flat within the noise of this machine
    seen.addAll(List.of(3950.0, 4050.0));
    assertThat(Warmup.levelled(seen)).as("%s", seen).isTrue();
  }

  @Test
  void levelledMeansEachOfTheLastThreeWindowsWithinTenPercentOfTheOneBefore() {
    assertThat(Warmup.levelled(List.of(100.0, 100.0, 105.0, 105.0, 109.0, 109.0))).isTrue();
    assertThat(Warmup.levelled(List.of(100.0, 100.0, 100.0, 100.0, 91.0, 91.0))).isTrue();
    assertThat(Warmup.levelled(List.of(100.0, 100.0, 100.0, 100.0, 111.0, 111.0))).isFalse();
    assertThat(Warmup.levelled(List.of(100.0, 100.0, 100.0, 100.0, 89.0, 89.0))).isFalse();
    assertThat(Warmup.levelled(List.of(80.0, 80.0, 100.0, 100.0, 100.0, 100.0))).as("the first window still climbing").isFalse();
    assertThat(Warmup.levelled(List.of(50.0, 80.0, 80.0, 100.0, 100.0, 100.0, 100.0))).as("only the last six blocks count").isFalse();
    assertThat(Warmup.levelled(List.of(50.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0))).isTrue();
    assertThat(Warmup.levelled(List.of(100.0, 100.0, 100.0, 100.0, 100.0))).as("fewer than three windows").isFalse();
    assertThat(Warmup.levelled(List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0))).as("nothing completes: a stuck cluster is not warm").isFalse();
  }

  @Test
  void compilersAtWorkKeepTheWarmupGoing() {
    Duration block = Duration.ofSeconds(5);
    List<Warmup.Block> busy = List.of(new Warmup.Block(5, 470, null, 400L), new Warmup.Block(10, 480, null, 2_300L));
    assertThat(Warmup.compilersQuiet(busy, block)).isFalse();
    List<Warmup.Block> quiet = List.of(new Warmup.Block(5, 470, null, 2_300L), new Warmup.Block(10, 480, null, 500L),
        new Warmup.Block(15, 480, null, 120L));
    assertThat(Warmup.compilersQuiet(quiet, block)).as("500 ms of 5 s: 10 %% of a core").isTrue();
    assertThat(Warmup.compilersQuiet(List.of(new Warmup.Block(5, 470, null, null), new Warmup.Block(10, 470, null, null)), block))
        .as("no /proc: not known, the throughput decides").isTrue();
    assertThat(JitMeter.compilerCpuMillis()).as("this JVM has compiled something by now").isPositive();
    // a level throughput is not enough while the compilers work (Ratis embedded at 60 s)
    Warmup auto = Warmup.parse("auto");
    List<Warmup.Block> level = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      level.add(new Warmup.Block(5 * i, 470, null, i < 6 ? 100L : 2_300L));
    }
    assertThat(auto.warm(level)).isFalse();
    level.add(new Warmup.Block(35, 470, null, 100L));
    assertThat(auto.warm(level)).as("one quiet block is not a quiet window").isFalse();
    level.add(new Warmup.Block(40, 470, null, 100L));
    assertThat(auto.warm(level)).isTrue();
  }

  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void anAutomaticWarmupOfAClosedLoopStopsOnceTheThroughputLevelsAndTheBundleSaysHow(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("auto");
    HarnessCli r = HarnessCli.run("run", "workload-c", "--engine", "synthetic", "-E", "latency=fixed:1ms", "-E", "servers=64",
        "--threads", "2", "--recordcount", "100", "--warmup", "auto:60s:500ms", "--duration", "1s", "--noise-floor", "0",
        "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.err).contains("warming up until the throughput levels").contains("warm-up levelled after");
    assertThat(r.out).contains("warm-up (auto: levelled)");
    JsonNode t = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    JsonNode w = t.path("warmup");
    assertThat(w.path("mode").asText()).isEqualTo("auto");
    assertThat(w.path("levelled").asBoolean()).as(w.toString()).isTrue();
    assertThat(w.path("rule").asText()).startsWith("the throughput over each of the last 3 windows of 2 blocks");
    assertThat(w.path("blocks").size()).isGreaterThanOrEqualTo(6);
    // the CPU the trial JVM's JIT compilers used in each block, from /proc; quiet in the last two
    w.path("blocks").forEach(b -> assertThat(b.path("jit_cpu_ms").isIntegralNumber()).as(b.toString()).isTrue());
    w.path("blocks").forEach(b -> assertThat(b.path("jit_cpu_ms").asLong()).as(b.toString()).isNotNegative());
    int n = w.path("blocks").size();
    assertThat(w.at("/blocks/" + (n - 1) + "/jit_cpu_ms").asLong()).isLessThanOrEqualTo(50); // 10 % of 500 ms
    assertThat(w.at("/blocks/" + (n - 2) + "/jit_cpu_ms").asLong()).isLessThanOrEqualTo(50);
    List<Double> rates = new ArrayList<>();
    w.path("blocks").forEach(b -> rates.add(b.path("ops_s").asDouble()));
    assertThat(Warmup.levelled(rates)).isTrue();
    assertThat(w.at("/blocks/0/service_p50_us").isMissingNode()).as("closed loop: throughput only").isTrue();
    assertThat(t.at("/timing/warmup_s").asDouble()).isEqualTo(w.path("seconds").asDouble())
        .isEqualTo(w.at("/blocks/" + (rates.size() - 1) + "/end_s").asDouble());
    assertThat(t.at("/spec/warmup").asText()).isEqualTo("auto");
    assertThat(t.at("/spec/warmup_s").asDouble()).isEqualTo(60.0);
    assertThat(t.at("/spec/warmup_block_s").asDouble()).isEqualTo(0.5);
  }

  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void inOpenLoopTheMedianServiceTimeDecidesAndAFixedWarmupIsRecordedAsSuch(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("open");
    HarnessCli r = HarnessCli.run("run", "workload-c", "--engine", "synthetic", "-E", "latency=fixed:1ms", "-E", "servers=64",
        "--target", "300", "--threads", "1", "--inflight", "8", "--recordcount", "100", "--warmup", "auto:60s:500ms", "--duration", "1s",
        "--noise-floor", "0", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode w = new ObjectMapper().readTree(out.resolve("trial.json").toFile()).path("warmup");
    assertThat(w.path("rule").asText()).startsWith("the median service time");
    assertThat(w.path("levelled").asBoolean()).as(w.toString()).isTrue();
    // every operation of the synthetic engine takes at least 1 ms
    w.path("blocks").forEach(b -> assertThat(b.path("service_p50_us").asDouble()).as(b.toString()).isGreaterThanOrEqualTo(1000.0));

    Path fixed = dir.resolve("fixed");
    HarnessCli f = HarnessCli.run("run", "workload-c", "--engine", "noop", "--threads", "1", "--recordcount", "100", "--warmup", "1s",
        "--duration", "1s", "--noise-floor", "0", "--quiet", "--out", fixed.toString());
    assertThat(f.code).as(f.err).isZero();
    JsonNode t = new ObjectMapper().readTree(fixed.resolve("trial.json").toFile());
    assertThat(t.path("warmup").toString()).isEqualTo("{\"mode\":\"fixed\",\"seconds\":1.0}");
    assertThat(t.at("/spec/warmup").asText()).isEqualTo("fixed");
    assertThat(t.at("/spec/warmup_block_s").isNull()).isTrue();
  }
}
