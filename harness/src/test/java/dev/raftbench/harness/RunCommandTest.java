package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real trials through the CLI, in this JVM or forked: what lands in the bundle. */
class RunCommandTest {
  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void localTrialWritesACompleteBundle(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bundle");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "local", "--duration", "2s", "--warmup", "500ms",
        "--recordcount", "500", "--threads", "4", "--inflight", "2", "--out", out.toString(), "--quiet", "--forks", "0");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("READ").contains("UPDATE").contains("TOTAL").contains("bundle: " + out.toAbsolutePath());

    JsonNode trial = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(trial.get("schema").asText()).isEqualTo("raftbench.trial/1");
    assertThat(trial.at("/spec/engine").asText()).isEqualTo("local");
    assertThat(trial.at("/spec/workload_properties/readproportion").asText()).isEqualTo("0.5");
    assertThat(trial.at("/spec/threads").asInt()).isEqualTo(4);
    assertThat(trial.at("/spec/seed").asLong()).isEqualTo(1);
    assertThat(trial.at("/spec/engine_capabilities").size()).isZero();
    assertThat(trial.at("/spec/engine_not_supported").toString()).contains("\"replication\"").contains("\"tunable_election\"");
    assertThat(trial.at("/environment/cores").asInt()).isPositive();
    assertThat(trial.at("/environment/trial_jvm").asText()).isEqualTo("in-process");
    assertThat(trial.at("/load/records").asLong()).isEqualTo(500);
    assertThat(trial.at("/summary/throughput_ops_s").asDouble()).isPositive();
    assertThat(trial.at("/summary/errors").asLong()).isZero();
    for (String op : List.of("READ", "UPDATE")) {
      JsonNode o = trial.at("/summary/ops/" + op);
      assertThat(o.get("count").asLong()).isPositive();
      assertThat(o.get("errors").asLong()).isZero();
      for (String f : List.of("mean_us", "p50_us", "p90_us", "p99_us", "p999_us", "max_us")) {
        assertThat(o.get(f).asDouble()).as(op + "." + f).isPositive();
      }
      assertThat(o.get("p50_us").asDouble()).isLessThanOrEqualTo(o.get("p99_us").asDouble());
      assertThat(o.get("p99_us").asDouble()).isLessThanOrEqualTo(o.get("max_us").asDouble());
    }
    long total = trial.at("/summary/ops/READ/count").asLong() + trial.at("/summary/ops/UPDATE/count").asLong();
    assertThat(trial.at("/summary/operations").asLong()).isEqualTo(total);

    // the interval log is HdrHistogram's own format, tagged per operation
    Set<String> tags = new HashSet<>();
    long logged = 0;
    HistogramLogReader reader = new HistogramLogReader(out.resolve("latency.hlog").toFile());
    EncodableHistogram h;
    // with a time range, as HdrHistogram's HistogramLogProcessor reads: no interval may start before the log's start time
    while ((h = reader.nextIntervalHistogram(0.0, Double.MAX_VALUE)) != null) {
      tags.add(h.getTag());
      logged += ((org.HdrHistogram.Histogram) h).getTotalCount();
    }
    assertThat(tags).containsExactlyInAnyOrder("READ", "UPDATE");
    assertThat(logged).isEqualTo(total);

    List<String> ycsb = Files.readAllLines(out.resolve("ycsb.txt"));
    assertThat(ycsb).anyMatch(l -> l.startsWith("[OVERALL], Throughput(ops/sec), "))
        .anyMatch(l -> l.startsWith("[READ], 99thPercentileLatency(us), "))
        .anyMatch(l -> l.startsWith("[UPDATE], Return=OK, "));

    List<String> series = Files.readAllLines(out.resolve("timeseries.csv"));
    assertThat(series.get(0)).isEqualTo("t_s,op,ops,ops_s,p50_us,p99_us,max_us,errors,event");
    assertThat(series).hasSizeGreaterThan(2);

    File png = out.resolve("charts/latency.png").toFile();
    BufferedImage image = ImageIO.read(png);
    assertThat(image).as("a readable PNG").isNotNull();
    assertThat(image.getWidth()).isEqualTo(1000);
    assertThat(image.getHeight()).isEqualTo(600);
  }

  @Test
  @Timeout(300)
  void forkedRatisTrialOnARealClusterHasNoErrors(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("ratis");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "ratis", "--transport", "grpc", "--log", "memory",
        "--shards", "2", "--duration", "3s", "--warmup", "1s", "--recordcount", "300", "--threads", "4", "--out", out.toString(), "--quiet");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).as("the child's summary, passed through").contains("READ").contains("bundle: " + out.toAbsolutePath());
    JsonNode trial = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(trial.at("/environment/trial_jvm").asText()).isEqualTo("forked");
    assertThat(trial.at("/environment/jvm_args").toString()).contains("-Draftbench.trial.forked=true");
    assertThat(trial.at("/spec/transport").asText()).isEqualTo("grpc");
    assertThat(trial.at("/spec/log").asText()).isEqualTo("memory");
    assertThat(trial.at("/load/records").asLong()).isEqualTo(300);
    assertThat(trial.at("/summary/errors").asLong()).isZero();
    assertThat(trial.at("/summary/ops/READ/count").asLong()).isPositive();
    assertThat(trial.at("/summary/ops/UPDATE/count").asLong()).isPositive();
  }

  @Test
  @Timeout(120)
  void aForkedTrialPastItsDeadlineIsKilledAndReported(@TempDir Path dir) {
    Path out = dir.resolve("late");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "ratis", "--duration", "60s", "--trial-timeout", "1s",
        "--out", out.toString(), "--quiet");
    assertThat(r.code).isEqualTo(Harness.FAILED);
    assertThat(r.err).contains("trial failed").contains("still running after 1 s").contains("was killed");
    assertThat(out.resolve("trial.json")).doesNotExist();
  }

  @Test
  void childArgumentsFixTheBundleAndStayInProcess() {
    Path bundle = Path.of("/tmp/b");
    String b = bundle.toAbsolutePath().toString();
    assertThat(TrialExecution.childArgs(List.of("--verbose", "run", "workload-a", "--forks", "1", "--out", "x", "--out=y", "--forks=1",
        "--repeat", "3", "-p", "a=b"), "run", null, bundle, null))
        .containsExactly("run", "--forks", "0", "--out", b, "workload-a", "-p", "a=b");
    assertThat(TrialExecution.childArgs(List.of("sweep", "workload-a", "--rates", "1,2", "--steps=4", "--threads", "2", "--data-dir", "/d"),
        "sweep", 2.0, bundle, Path.of("/d/step-01")))
        .containsExactly("run", "--forks", "0", "--out", b, "--target", "2.0", "--data-dir", "/d/step-01", "workload-a", "--threads", "2");
    // after "--" everything is a parameter, even what looks like our options
    assertThat(TrialExecution.childArgs(List.of("run", "--threads", "2", "--", "--out"), "run", null, bundle, null))
        .containsExactly("run", "--forks", "0", "--out", b, "--threads", "2", "--", "--out");
  }

  @Test
  @Timeout(120)
  void theNoiseFloorLeavesTheTrialsWorkloadAlone(@TempDir Path dir) throws Exception {
    // workload D reads the latest inserts: had the noise floor's inserts (on noop) counted, the
    // trial would read keys never stored
    Path out = dir.resolve("d");
    HarnessCli r = HarnessCli.run("run", "workload-d", "--engine", "local", "--duration", "2s", "--warmup", "0s", "--recordcount", "1000",
        "--threads", "2", "--noise-floor", "1s", "--forks", "0", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode trial = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(trial.at("/summary/noise_floor/measured").asBoolean()).isTrue();
    assertThat(trial.at("/summary/noise_floor/operations").asLong()).isPositive();
    assertThat(trial.at("/summary/ops/READ/count").asLong()).isPositive();
    assertThat(trial.at("/summary/ops/READ/not_found").asLong()).isZero();
  }

  @Test
  @Timeout(300)
  void repeatsRunOnFreshClustersEachWithItsOwnDataDir(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("repeats");
    Path data = dir.resolve("data");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "ratis", "--log", "disk", "--data-dir", data.toString(), "--shards", "1",
        "--repeat", "2", "--duration", "1s", "--warmup", "0s", "--recordcount", "100", "--threads", "2", "--noise-floor", "0",
        "--forks", "0", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("2 repeats: throughput median");
    JsonNode repeats = new ObjectMapper().readTree(out.resolve("repeats.json").toFile());
    assertThat(repeats.get("repeats").asInt()).isEqualTo(2);
    assertThat(repeats.get("each")).hasSize(2);
    double low = repeats.at("/throughput_ops_s/ci95_low").asDouble();
    double high = repeats.at("/throughput_ops_s/ci95_high").asDouble();
    assertThat(repeats.at("/throughput_ops_s/mean").asDouble()).isBetween(low, high);
    for (String each : List.of("repeat-01", "repeat-02")) {
      assertThat(out.resolve(each).resolve("trial.json")).exists();
      assertThat(data.resolve(each)).isDirectory(); // each repeat its own, as engines refuse a used one
    }
  }

  @Test
  @Timeout(120)
  void ycsbsOwnWorkloadFileRunsAsIsWithDataIntegrityChecked(@TempDir Path dir) throws Exception {
    Path ycsbWorkloadE = Path.of("..", "workloads", "src", "test", "resources", "ycsb", "workloade"); // YCSB 0.17's file, unchanged
    Path out = dir.resolve("e");
    HarnessCli r = HarnessCli.run("run", ycsbWorkloadE.toString(), "--engine", "local", "--duration", "1s", "--warmup", "0s",
        "--threads", "2", "--noise-floor", "0", "--forks", "0", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.err).doesNotContain("warning");
    JsonNode trial = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
    assertThat(trial.at("/spec/workload").asText()).isEqualTo("workloade");
    assertThat(trial.at("/summary/ops/SCAN/count").asLong()).isPositive();
    assertThat(trial.at("/summary/errors").asLong()).isZero();

    Path checked = dir.resolve("c");
    r = HarnessCli.run("run", "workload-b", "--engine", "local", "-p", "dataintegrity=true", "-p", "mongodb.url=x", "--duration", "1s",
        "--warmup", "0s", "--recordcount", "500", "--threads", "2", "--noise-floor", "0", "--forks", "0", "--out", checked.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.err).contains("warning: workload properties RaftBench does not read (kept in the bundle): mongodb.url");
    trial = new ObjectMapper().readTree(checked.resolve("trial.json").toFile());
    assertThat(trial.at("/summary/data_integrity/checked").asLong()).isPositive();
    assertThat(trial.at("/summary/data_integrity/failed").asLong()).isZero();
    assertThat(trial.at("/spec/workload_unknown_properties/0").asText()).isEqualTo("mongodb.url");
    assertThat(Files.readAllLines(checked.resolve("ycsb.txt"))).anyMatch(l -> l.startsWith("[VERIFY], Return=OK, "));
  }

  @Test
  @Timeout(120)
  void theVerifyPhaseReadsBackEveryWriteAndCatchesLostOnes(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "local", "--duration", "1s", "--warmup", "0s", "--recordcount", "500",
        "--threads", "2", "--noise-floor", "0", "--forks", "0", "--quiet", "--out", good.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode trial = new ObjectMapper().readTree(good.resolve("trial.json").toFile());
    assertThat(trial.at("/verify/performed").asBoolean()).isTrue();
    assertThat(trial.at("/verify/acknowledged").asLong()).isGreaterThan(500); // the load and the run's updates
    assertThat(trial.at("/verify/keys").asLong()).isEqualTo(500);
    assertThat(trial.at("/verify/verified").asLong()).isEqualTo(500);
    assertThat(trial.at("/verify/lost").asLong()).isZero();

    // an engine that acknowledges writes it never applies: the trial fails and says so
    Path lossy = dir.resolve("lossy");
    r = HarnessCli.run("run", "workload-a", "--engine", "lossy-test", "--duration", "1s", "--warmup", "0s", "--recordcount", "500",
        "--threads", "2", "--noise-floor", "0", "--forks", "0", "--quiet", "--out", lossy.toString());
    assertThat(r.code).isEqualTo(Harness.FAILED);
    assertThat(r.err).contains("keys lost acknowledged writes");
    trial = new ObjectMapper().readTree(lossy.resolve("trial.json").toFile());
    assertThat(trial.at("/verify/lost").asLong()).isPositive();
    assertThat(trial.at("/verify/sample_lost/0").asText()).startsWith("user");

    Path skipped = dir.resolve("skipped");
    r = HarnessCli.run("run", "workload-a", "--engine", "noop", "--duration", "1s", "--warmup", "0s", "--noise-floor", "0", "--forks", "0",
        "--quiet", "--out", skipped.toString());
    assertThat(r.code).as(r.err).isZero();
    trial = new ObjectMapper().readTree(skipped.resolve("trial.json").toFile());
    assertThat(trial.at("/verify/performed").asBoolean()).isFalse();
    assertThat(trial.at("/verify/reason").asText()).isEqualTo("the noop engine stores nothing");
  }

  @Test
  void confidenceIntervalsFollowStudentsT() {
    Repeats.Interval ci = Repeats.confidenceInterval(new double[] {10, 12, 14});
    assertThat(ci.mean()).isEqualTo(12.0);
    assertThat(ci.stddev()).isEqualTo(2.0);
    // t(0.975, 2) = 4.303; half-width 4.303 * 2 / sqrt(3)
    assertThat(ci.high() - ci.mean()).isCloseTo(4.303 * 2 / Math.sqrt(3), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(Repeats.median(new double[] {3, 1, 2, 10})).isEqualTo(2.5);
  }

  @Test
  void listNamesEnginesTransportsAndWorkloads() {
    HarnessCli r = HarnessCli.run("list");
    assertThat(r.code).isZero();
    assertThat(r.out).contains("ratis").contains("grpc,netty").contains("sofajraft").contains("bolt,grpc").contains("local").contains("noop")
        .contains("workload-a").contains("workload-f").contains("jump");
  }

  @Test
  @Timeout(120)
  void rangeScansAskFewerShardsThanHashedOnes(@TempDir Path dir) throws Exception {
    double[] perScan = new double[2];
    String[] schemes = {"jump", "range"};
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve(schemes[i]);
      HarnessCli r = HarnessCli.run("run", "workload-e", "--engine", "local", "--hashing", schemes[i], "--shards", "8",
          "--duration", "1s", "--warmup", "0s", "--recordcount", "2000", "--threads", "2", "--out", out.toString(), "--quiet", "--forks", "0");
      assertThat(r.code).as(r.err).isZero();
      JsonNode trial = new ObjectMapper().readTree(out.resolve("trial.json").toFile());
      assertThat(trial.at("/spec/hashing").asText()).isEqualTo(schemes[i]);
      assertThat(trial.at("/summary/errors").asLong()).isZero();
      assertThat(trial.at("/summary/scans").asLong()).isPositive();
      perScan[i] = trial.at("/summary/shards_per_scan_mean").asDouble();
    }
    // (a scan completing between the two counters' readings may skew the mean by a hair)
    assertThat(perScan[0]).as("jump: every scan asks every shard").isCloseTo(8.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(perScan[1]).as("range: a scan of at most 100 of 2000 keys over 8 ranges").isBetween(1.0, 2.0);
  }
}
