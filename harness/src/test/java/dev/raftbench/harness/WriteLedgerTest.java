package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftbench.store.kv.Record;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteLedgerTest {
  private static Record rec(String v) {
    return Record.of(Map.of("f", v.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theLastAcknowledgedWriteMustBeThere() {
    WriteLedger l = new WriteLedger(1);
    l.write("k", rec("one"), 0, 10, true);
    l.write("k", rec("two"), 20, 30, true);
    assertThat(l.check("k", rec("two"))).isNull();
    assertThat(l.check("k", rec("one"))).as("overtaken by a write that started after it ended").isEqualTo("f");
    assertThat(l.check("k", null)).as("the record gone").isEqualTo("f");
    assertThat(l.check("k", rec("three"))).isEqualTo("f");
    assertThat(l.acknowledgedWrites()).isEqualTo(2);
  }

  @Test
  void concurrentAndFailedWritesMayEachBeLast() {
    WriteLedger l = new WriteLedger(1);
    l.write("k", rec("a"), 0, 20, true);
    l.write("k", rec("b"), 10, 30, true); // overlaps a: either may have been applied last
    l.write("k", rec("c"), 25, 40, false); // failed: may or may not have been applied
    assertThat(l.check("k", rec("a"))).isNull();
    assertThat(l.check("k", rec("b"))).isNull();
    assertThat(l.check("k", rec("c"))).isNull();
    assertThat(l.check("k", rec("d"))).isEqualTo("f");
  }

  @Test
  void onlyFieldsWrittenAreChecked_andDeletedKeysAreLeftOut() {
    WriteLedger l = new WriteLedger(1);
    l.write("k", Record.of(Map.of("f", new byte[] {1}, "g", new byte[] {2})), 0, 1, true);
    l.write("k", Record.of(Map.of("g", new byte[] {3})), 5, 6, true); // an update of one field
    assertThat(l.check("k", Record.of(Map.of("f", new byte[] {1}, "g", new byte[] {3})))).isNull();
    assertThat(l.check("k", Record.of(Map.of("f", new byte[] {1}, "g", new byte[] {2})))).isEqualTo("g");
    l.write("failed-only", rec("x"), 0, 1, false);
    assertThat(l.check("failed-only", null)).as("nothing acknowledged, nothing promised").isNull();
    l.delete("k");
    assertThat(l.keysToCheck()).containsExactly("failed-only");
    assertThat(l.deletedKeys()).isEqualTo(1);
  }

  @Test
  void manyKeysAreSampledByKeyHash() {
    assertThat(WriteLedger.strideFor(10_000)).isEqualTo(1);
    assertThat(WriteLedger.strideFor(1_000_000)).isEqualTo(20);
    WriteLedger l = new WriteLedger(20);
    long kept = java.util.stream.IntStream.range(0, 100_000).filter(i -> l.tracks("user" + i)).count();
    assertThat(kept).isBetween(4_000L, 6_000L); // one in 20
    assertThat(l.tracks("user7")).isEqualTo(l.tracks("user7"));
  }
}
