package dev.raftbench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YCSB 0.17's own Client, in its own JVM, loading and running YCSB's own workloada file through our binding. */
class YcsbClientTest {
  private static long metric(String report, String section, String metric) {
    Matcher m = Pattern.compile("^\\[" + Pattern.quote(section) + "\\], " + Pattern.quote(metric) + ", (\\d+)", Pattern.MULTILINE).matcher(report);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  @Test
  void ycsbsClientLoadsAndRunsWorkloadAOnTheLocalEngine(@TempDir Path dir) throws Exception {
    Path workload = dir.resolve("workloada");
    try (InputStream in = getClass().getResourceAsStream("/ycsb/workloada")) {
      Files.copy(in, workload);
    }
    List<String> common = List.of("-db", RaftBenchDB.class.getName(), "-P", workload.toString(), "-threads", "4",
        "-p", "raftbench.engine=local", "-p", "raftbench.shards=4", "-p", "raftbench.keep=true");
    Path loadFile = dir.resolve("load.txt");
    Path runFile = dir.resolve("run.txt");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LoadThenRun.class.getName(), "-load"));
    cmd.addAll(common);
    cmd.addAll(List.of("-p", "exportfile=" + loadFile));
    cmd.add("--");
    cmd.add("-t");
    cmd.addAll(common);
    cmd.addAll(List.of("-p", "operationcount=4000", "-p", "exportfile=" + runFile));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) { // a guard against a hang, not a timing assertion
      p.destroyForcibly();
      throw new AssertionError("YCSB's Client did not finish: " + Files.readString(err));
    }
    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    String loadReport = Files.readString(loadFile, StandardCharsets.UTF_8);
    String runReport = Files.readString(runFile, StandardCharsets.UTF_8);
    assertThat(metric(loadReport, "INSERT", "Return=OK")).as(loadReport).isEqualTo(1000);
    assertThat(metric(loadReport, "INSERT", "Return=ERROR")).isEqualTo(-1);
    long reads = metric(runReport, "READ", "Return=OK");
    long updates = metric(runReport, "UPDATE", "Return=OK");
    assertThat(reads + updates).as(runReport).isEqualTo(4000);
    assertThat(reads).isPositive();
    assertThat(updates).isPositive();
    // every record the load stored was found by the run: none missing, none failed
    assertThat(runReport).doesNotContain("Return=NOT_FOUND").doesNotContain("Return=ERROR");
    assertThat(metric(runReport, "OVERALL", "RunTime(ms)")).isPositive();
  }

  @Test
  void aBadSettingIsOneClearDbError(@TempDir Path dir) throws IOException {
    RaftBenchDB db = new RaftBenchDB();
    java.util.Properties p = new java.util.Properties();
    p.setProperty("raftbench.engine", "local");
    p.setProperty("raftbench.hashing", "range");
    db.setProperties(p);
    org.assertj.core.api.Assertions.assertThatThrownBy(db::init).isInstanceOf(site.ycsb.DBException.class)
        .hasMessageContaining("raftbench.hashing=range splits the key space by a sample");
  }
}
