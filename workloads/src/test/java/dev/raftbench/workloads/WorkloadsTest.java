package dev.raftbench.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadsTest {
  @Test
  void builtInsCarryYcsbCoreWorkloadProportions() {
    WorkloadSpec a = Workloads.load("workload-a", Map.of());
    assertThat(a.proportions()).containsExactly(Map.entry(OperationType.READ, 0.5), Map.entry(OperationType.UPDATE, 0.5));
    assertThat(a.requestDistribution).isEqualTo("zipfian");
    assertThat(a.fieldCount).isEqualTo(10);
    assertThat(a.fieldLength).isEqualTo(100);
    assertThat(a.recordCount).isEqualTo(10_000);

    assertThat(Workloads.load("workload-b", Map.of()).proportions()).containsEntry(OperationType.READ, 0.95).containsEntry(OperationType.UPDATE, 0.05);
    assertThat(Workloads.load("workload-c", Map.of()).proportions()).containsOnlyKeys(OperationType.READ);
    WorkloadSpec d = Workloads.load("workload-d", Map.of());
    assertThat(d.requestDistribution).isEqualTo("latest");
    assertThat(d.proportions()).containsEntry(OperationType.INSERT, 0.05);
    WorkloadSpec e = Workloads.load("workload-e", Map.of());
    assertThat(e.proportions()).containsEntry(OperationType.SCAN, 0.95).containsEntry(OperationType.INSERT, 0.05);
    assertThat(e.maxScanLength).isEqualTo(100);
    assertThat(Workloads.load("workload-f", Map.of()).proportions()).containsEntry(OperationType.READ_MODIFY_WRITE, 0.5);
  }

  @Test
  void readsAYcsbFileWithCommentsAndAppliesOverrides(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("workloada");
    Files.writeString(file, """
        # Yahoo! Cloud System Benchmark
        # Workload A: Update heavy workload
        recordcount=1000
        operationcount=1000
        workload=site.ycsb.workloads.CoreWorkload

        readallfields=true

        readproportion=0.5
        updateproportion=0.5
        scanproportion=0
        insertproportion=0

        requestdistribution=zipfian
        """);
    WorkloadSpec w = Workloads.load(file.toString(), Map.of("recordcount", "50", "fieldcount", "3"));
    assertThat(w.name()).isEqualTo("workloada");
    assertThat(w.recordCount).isEqualTo(50);
    assertThat(w.fieldCount).isEqualTo(3);
    assertThat(w.properties()).containsEntry("workload", "site.ycsb.workloads.CoreWorkload");
  }

  @Test
  void badInputIsNamedPlainly(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> Workloads.load("workload-z", Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown workload 'workload-z'");
    assertThatThrownBy(() -> Workloads.load("workload-a", Map.of("readproportion", "lots")))
        .hasMessage("workload property readproportion: 'lots' is not a number (-p readproportion)");
    assertThatThrownBy(() -> Workloads.load("workload-a", Map.of("recordcount", "-5")))
        .hasMessage("workload property recordcount must be positive, was -5 (-p recordcount)");
    assertThatThrownBy(() -> Workloads.load("workload-a", Map.of("requestdistribution", "gaussian")))
        .hasMessageContaining("requestdistribution: 'gaussian' is not supported");
    assertThatThrownBy(() -> Workloads.load("workload-a", Map.of("requestdistribution", "exponential", "exponential.percentile", "0")))
        .hasMessage("workload property exponential.percentile must lie in (0, 100), was 0.0 (-p exponential.percentile)");
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "readproportion=0\nupdateproportion=0\n");
    assertThatThrownBy(() -> Workloads.load(bad.toString(), Map.of())).hasMessageContaining("the operation proportions sum to 0.0, not 1");
  }
}
