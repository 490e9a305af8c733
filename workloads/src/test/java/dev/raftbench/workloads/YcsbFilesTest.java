package dev.raftbench.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftbench.store.kv.Record;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YCSB's own workload files and properties, as YCSB reads them. */
class YcsbFilesTest {
  private static Path copy(String resource, Path dir) throws Exception {
    Path file = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    try (InputStream in = YcsbFilesTest.class.getResourceAsStream(resource)) {
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void ycsbsWorkloadFileLoadsUnchanged(@TempDir Path dir) throws Exception {
    WorkloadSpec e = Workloads.load(copy("/ycsb/workloade", dir).toString(), Map.of());
    assertThat(e.name()).isEqualTo("workloade");
    assertThat(e.scanProportion).isEqualTo(0.95);
    assertThat(e.insertProportion).isEqualTo(0.05);
    assertThat(e.maxScanLength).isEqualTo(100);
    assertThat(e.requestDistribution).isEqualTo("zipfian");
    assertThat(e.unknownProperties()).isEmpty();
  }

  @Test
  void errorsNameTheLineOrTheOverride(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine");
    Files.writeString(file, "# mine\nrecordcount=100\n\nreadproportion=0.5\nupdateproportion=0.4\nrequestdistribution=pareto\n");
    assertThatThrownBy(() -> Workloads.load(file.toString(), Map.of("updateproportion", "0.5")))
        .hasMessage("workload property requestdistribution: 'pareto' is not supported (supported: uniform, zipfian, latest, hotspot,"
            + " sequential, exponential) (" + file + " line 6)");
    assertThatThrownBy(() -> Workloads.load(file.toString(), Map.of("requestdistribution", "uniform")))
        .hasMessageContaining("the operation proportions sum to 0.9, not 1");
    assertThatThrownBy(() -> Workloads.load("workload-a", Map.of("recordcount", "-1")))
        .hasMessage("workload property recordcount must be positive, was -1 (-p recordcount)");
  }

  @Test
  void unknownPropertiesAreKeptAndListed() {
    WorkloadSpec w = Workloads.load("workload-a", Map.of("mongodb.url", "mongodb://x", "table", "usertable"));
    assertThat(w.unknownProperties()).containsExactly("mongodb.url");
    assertThat(w.properties()).containsEntry("mongodb.url", "mongodb://x");
  }

  @Test
  void fieldLengthsFollowYcsbsHistogramFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("hist.txt"), "BlockSize\t10\n0\t0\n1\t3\n2\t1\n");
    Path file = dir.resolve("w");
    Files.writeString(file, "recordcount=10\nreadproportion=1\nupdateproportion=0\nfieldcount=1\n"
        + "fieldlengthdistribution=histogram\nfieldlengthhistogram=hist.txt\n");
    Workload w = new Workload(Workloads.load(file.toString(), Map.of()));
    Workload.Generator g = w.generator(1, 0);
    Map<Integer, Integer> lengths = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      Operation op = g.nextLoad();
      lengths.merge(op.values().value(0).length, 1, Integer::sum);
    }
    assertThat(lengths.keySet()).isSubsetOf(20, 30); // (bucket + 1) x block size; bucket 0 is empty
    Generators.LongSource h = Generators.histogram(10, new long[] {0, 3, 1});
    SplittableRandom r = new SplittableRandom(5);
    int twenty = 0;
    for (int i = 0; i < 100_000; i++) {
      twenty += h.next(r) == 20 ? 1 : 0;
    }
    assertThat(twenty / 100_000.0).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.01));

    Files.writeString(dir.resolve("bad.txt"), "BlockSize\tten\n");
    assertThatThrownBy(() -> Workloads.load(file.toString(), Map.of("fieldlengthhistogram", dir.resolve("bad.txt").toString())))
        .hasMessageContaining("line 1: expected 'BlockSize<tab>N'");
    assertThatThrownBy(() -> Workloads.load(file.toString(), Map.of("fieldlengthhistogram", dir.resolve("none.txt").toString())))
        .hasMessageContaining("cannot read");
  }

  @Test
  void dataIntegrityValuesAreYcsbsAndAreChecked() {
    Workload w = new Workload(Workloads.load("workload-a", Map.of("dataintegrity", "true", "recordcount", "10", "fieldlength", "40")));
    // YCSB's buildDeterministicValue: "key:field", then ":" + hashCode of what is there, to the length
    StringBuilder sb = new StringBuilder("user1:field3");
    while (sb.length() < 40) {
      sb.append(':').append(sb.toString().hashCode());
    }
    sb.setLength(40);
    assertThat(new String(w.deterministicValue("user1", "field3"))).isEqualTo(sb.toString());

    Operation insert = w.generator(3, 0).nextLoad();
    assertThat(w.verify(insert.key(), insert.values())).isTrue();
    byte[] wrong = insert.values().value(0).clone();
    wrong[0] ^= 1;
    assertThat(w.verify(insert.key(), Record.ofSorted(new String[] {insert.values().name(0)}, new byte[][] {wrong}))).isFalse();
    assertThatThrownBy(() -> Workloads.load("workload-a", Map.of("dataintegrity", "true", "fieldlengthdistribution", "uniform")))
        .hasMessageContaining("dataintegrity=true needs fieldlengthdistribution=constant");
  }

  @Test
  void theExtraBuiltInsLoad() {
    assertThat(Workloads.load("write-only", Map.of()).proportions()).containsOnlyKeys(OperationType.UPDATE);
    assertThat(Workloads.load("read-only-uniform", Map.of()).requestDistribution).isEqualTo("uniform");
    assertThat(Workloads.load("scan-heavy", Map.of()).scanProportion).isEqualTo(0.95);
  }
}
