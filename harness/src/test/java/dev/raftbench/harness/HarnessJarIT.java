package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** The shaded harness.jar as a user runs it: its own JVM, its merged service files, its exit codes. */
class HarnessJarIT {
  private static final Path JAR = Path.of("target", "harness.jar");

  record Result(int code, String out, String err) {}

  private static Result java(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) { // a guard against a hang, not a timing assertion
      p.destroyForcibly();
      throw new AssertionError("harness.jar " + String.join(" ", args) + " did not exit; stderr: " + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void listsEveryEngineFromTheShadedJar(@TempDir Path dir) throws Exception {
    Result r = java(dir, "list");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("local").contains("noop").contains("ratis").contains("grpc,netty").contains("sofajraft").contains("bolt,grpc")
        .contains("atomix").contains("not supported: membership, tunable_election")
        .contains("etcd").contains("real etcd clusters");
  }

  @Test
  void badInputExitsWithTwo(@TempDir Path dir) throws Exception {
    Result r = java(dir, "run", "workload-q");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  /** Every engine and transport from the one jar, each trial in its own forked JVM (the default). */
  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource({"ratis,grpc", "ratis,netty", "sofajraft,bolt", "sofajraft,grpc", "atomix,netty", "etcd,grpc"})
  void runsEveryEngineForkedFromTheJar(String engine, String transport, @TempDir Path dir) throws Exception {
    Path bundle = dir.resolve(engine + "-" + transport);
    Result r = java(dir, "run", "workload-a", "--engine", engine, "--transport", transport, "--log", "disk", "--shards", "2",
        "--duration", "2s", "--warmup", "0s", "--recordcount", "200", "--threads", "4", "--quiet", "--out", bundle.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode trial = new ObjectMapper().readTree(bundle.resolve("trial.json").toFile());
    assertThat(trial.at("/spec/engine").asText()).isEqualTo(engine);
    assertThat(trial.at("/spec/transport").asText()).isEqualTo(transport);
    assertThat(trial.at("/environment/trial_jvm").asText()).isEqualTo("forked");
    assertThat(trial.at("/load/records").asLong()).isEqualTo(200);
    assertThat(trial.at("/summary/errors").asLong()).isZero();
    assertThat(trial.at("/summary/operations").asLong()).isPositive();
    assertThat(trial.at("/verify/lost").asLong()).isZero();
    assertThat(bundle.resolve("charts/latency.png")).isNotEmptyFile();
    assertThat(r.out()).contains("bundle: ");
    // engines that start processes (etcd) stop every one of them; the cluster token names ours
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("")
        .contains("--initial-cluster-token raftbench-")).map(p -> p.info().commandLine().orElse("?")).toList())
        .as("etcd processes left behind").isEmpty();
  }
}
