package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** matrix, compare and report through the CLI, on real (short, in-process) trials of the local and noop engines. */
class MatrixCompareTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUICK = "--duration 1s --warmup 200ms --recordcount 300 --threads 2 --noise-floor 0 --quiet --forks 0";

  @Test
  @Timeout(300) // a guard against hangs, not a timing assertion
  void aMatrixRunsEveryCellAndWritesTheirComparison(@TempDir Path dir) throws Exception {
    Path suite = dir.resolve("suite.properties");
    Files.writeString(suite, """
        # two workloads x two engines x two hashing schemes
        workloads = workload-a, workload-c
        engines = local, noop/inproc
        hashing = jump, ring
        args = %s
        """.formatted(QUICK));
    Path out = dir.resolve("matrix");
    HarnessCli r = HarnessCli.run("matrix", suite.toString(), "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();

    JsonNode matrix = JSON.readTree(out.resolve("matrix.json").toFile());
    assertThat(matrix.path("cells")).hasSize(8);
    assertThat(matrix.path("failed").asInt()).isZero();
    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"), StandardCharsets.UTF_8);
    assertThat(csv).hasSize(9);
    // labels name what differs between the cells: engine/transport, workload, hashing
    assertThat(csv).anyMatch(l -> l.startsWith("local/inproc workload-c hashing=ring,"));
    assertThat(csv).anyMatch(l -> l.startsWith("noop/inproc workload-a hashing=jump,"));
    JsonNode comparison = JSON.readTree(out.resolve("comparison.json").toFile());
    for (JsonNode b : comparison.path("bundles")) {
      assertThat(b.path("throughput_ops_s").asDouble()).as(b.path("label").asText()).isPositive();
      assertThat(b.path("errors").asLong()).isZero();
      assertThat(b.at("/latency_us/count").asLong()).isPositive();
    }
    for (String chart : List.of("percentiles", "throughput", "throughput-over-time", "p99-over-time")) {
      assertThat(ImageIO.read(out.resolve("charts/" + chart + ".png").toFile())).as(chart).isNotNull();
      assertThat(Files.readString(out.resolve("charts/" + chart + ".svg"))).as(chart).contains("<svg");
    }
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("Comparison of 8 bundles").contains("data:image/png;base64,").contains("Settings that differ")
        .contains("local/inproc workload-c hashing=ring").doesNotContain("http://").doesNotContain("https://");
    // the local engine declares no capability: the report says what it lacks
    assertThat(html).contains("replication, node_stop_start");
    assertThat(r.out).contains("comparison: ");
  }

  @Test
  @Timeout(300) // a guard against hangs, not a timing assertion
  void shardsFsyncAndInflightAreDimensionsOfTheirOwn(@TempDir Path dir) throws Exception {
    Path suite = dir.resolve("scale.properties");
    Files.writeString(suite, """
        workloads = workload-a
        engines = local
        shards = 1, 4
        fsync = on, off
        inflight = 1, 4
        args = -p fieldcount=1 -p fieldlength=100 %s
        """.formatted(QUICK));
    Path out = dir.resolve("matrix");
    HarnessCli r = HarnessCli.run("matrix", suite.toString(), "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode matrix = JSON.readTree(out.resolve("matrix.json").toFile());
    String cell = "workload-a-local-default-%dshards-fsync-%s-%dinflight";
    assertThat(matrix.path("cells")).extracting(c -> c.path("cell").asText()).containsExactly(cell.formatted(1, "on", 1),
        cell.formatted(1, "on", 4), cell.formatted(1, "off", 1), cell.formatted(1, "off", 4), cell.formatted(4, "on", 1),
        cell.formatted(4, "on", 4), cell.formatted(4, "off", 1), cell.formatted(4, "off", 4));
    JsonNode last = JSON.readTree(out.resolve("cells/" + cell.formatted(4, "off", 4) + "/trial.json").toFile());
    assertThat(last.at("/spec/shards").asInt()).isEqualTo(4);
    assertThat(last.at("/spec/fsync").asBoolean()).isFalse();
    assertThat(last.at("/spec/inflight_per_thread").asInt()).isEqualTo(4);
    assertThat(last.at("/spec/workload_properties/fieldlength").asText()).isEqualTo("100");
    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"), StandardCharsets.UTF_8);
    assertThat(csv.get(0)).startsWith("label,kind,workload,engine,transport,hashing,placement,nodes,shards,fsync,throughput_ops_s,");
    assertThat(csv).hasSize(9).anyMatch(l -> l.contains(",4,false,"));
  }

  @Test
  @Timeout(300)
  void compareShowsConfidenceIntervalsOfRepeatsAndReportCoversATrial(@TempDir Path dir) throws Exception {
    Path repeated = dir.resolve("repeated");
    Path single = dir.resolve("single");
    String[] quick = QUICK.split(" ");
    assertThat(HarnessCli.run(concat(new String[] {"run", "workload-b", "--engine", "local", "--repeat", "3", "--out", repeated.toString()}, quick)).code)
        .isZero();
    assertThat(HarnessCli.run(concat(new String[] {"run", "workload-b", "--engine", "noop", "--out", single.toString()}, quick)).code).isZero();

    Path out = dir.resolve("cmp");
    HarnessCli r = HarnessCli.run("compare", repeated.toString(), single.toString(), "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode c = JSON.readTree(out.resolve("comparison.json").toFile());
    JsonNode rep = c.at("/bundles/0");
    assertThat(rep.path("kind").asText()).isEqualTo("repeats");
    assertThat(rep.path("ci95_low").asDouble()).isLessThanOrEqualTo(rep.path("throughput_ops_s").asDouble());
    assertThat(rep.path("ci95_high").asDouble()).isGreaterThanOrEqualTo(rep.path("throughput_ops_s").asDouble());
    assertThat(c.at("/bundles/1/kind").asText()).isEqualTo("trial");
    assertThat(c.at("/bundles/1/ci95_low").isNull()).isTrue();
    assertThat(r.out).contains("..");

    HarnessCli rep2 = HarnessCli.run("report", single.toString());
    assertThat(rep2.code).as(rep2.err).isZero();
    String html = Files.readString(single.resolve("report.html"));
    assertThat(html).contains("workload-b on noop/inproc").contains("Noise floor").contains("Not supported by this engine")
        .contains("Configuration").contains("Environment").contains("data:image/png;base64,");
  }

  @Test
  void badSuitesAndBundlesEndInOneClearLine(@TempDir Path dir) throws Exception {
    Path noEngines = dir.resolve("no-engines");
    Files.writeString(noEngines, "workloads = workload-a\n");
    Path typo = dir.resolve("typo");
    Files.writeString(typo, "workloads = workload-a\nengines = local\nenignes = noop\n");
    Path badCell = dir.resolve("bad-cell");
    Files.writeString(badCell, "workloads = workload-a\nengines = local, nosuch\n");
    Path setsShards = dir.resolve("sets-shards");
    Files.writeString(setsShards, "workloads = workload-a\nengines = local\nshards = 1, 2\nargs = --shards 4\n");
    Path setsOut = dir.resolve("sets-out");
    Files.writeString(setsOut, "workloads = workload-a\nengines = local\nargs = --out /tmp/x\n");
    Object[][] cases = {
        {new String[] {"matrix", "no-such-suite"}, "unknown suite 'no-such-suite'"},
        {new String[] {"matrix", noEngines.toString()}, "names no engines"},
        {new String[] {"matrix", typo.toString()}, "unknown key 'enignes'"},
        {new String[] {"matrix", badCell.toString()}, "cell workload-a-nosuch-default: unknown engine 'nosuch'"},
        {new String[] {"matrix", setsOut.toString()}, "args may not set --out"},
        {new String[] {"matrix", setsShards.toString()}, "args may not set --shards"},
        {new String[] {"compare", dir.resolve("nothing").toString()}, "no such bundle directory"},
        {new String[] {"compare", dir.toString()}, "not a results bundle"},
        {new String[] {"report", dir.toString()}, "not a results bundle"},
    };
    for (Object[] c : cases) {
      HarnessCli r = HarnessCli.run((String[]) c[0]);
      assertThat(r.code).as(String.join(" ", (String[]) c[0])).isEqualTo(Harness.USAGE);
      assertThat(r.err).contains((String) c[1]);
      assertThat(r.err.strip().lines()).hasSize(1);
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
