package dev.raftbench.store.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KvStateMachineTest {
  private static Record rec(String f, String v) {
    return Record.of(Map.of(f, v.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void updateMergesFieldsAndScanIsOrderedFromStartKey() {
    KvStateMachine sm = new KvStateMachine();
    for (String k : List.of("b", "d", "a", "c", "e")) {
      assertThat(sm.apply(new Command.Put(k, rec("f", k)))).isEqualTo(Reply.DONE);
    }
    assertThat(sm.apply(new Command.Update("c", rec("g", "x")))).isEqualTo(Reply.DONE);
    assertThat(sm.read(new Command.Get("c"))).isEqualTo(new Reply.Found(rec("f", "c").merge(rec("g", "x"))));
    Reply.Rows rows = (Reply.Rows) sm.read(new Command.Scan("bb", 2, List.of("g")));
    assertThat(rows.rows()).extracting(Reply.Row::key).containsExactly("c", "d");
    assertThat(rows.rows().get(0).record()).isEqualTo(rec("g", "x"));
    assertThat(rows.rows().get(1).record()).isEqualTo(Record.empty());
  }

  @Test
  void snapshotRestoresExactlyTheSameState() throws IOException {
    KvStateMachine sm = new KvStateMachine();
    for (int i = 0; i < 1000; i++) {
      sm.apply(new Command.Put("user" + i, rec("field" + (i % 10), "v" + i)));
    }
    sm.apply(new Command.Delete("user7"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.snapshot(out);

    KvStateMachine copy = new KvStateMachine();
    copy.apply(new Command.Put("stale", rec("f", "gone after restore")));
    copy.restore(new ByteArrayInputStream(out.toByteArray()));
    assertThat(copy.size()).isEqualTo(999);
    assertThat(copy.read(new Command.Get("stale"))).isEqualTo(Reply.MISSING);
    assertThat(copy.read(new Command.Get("user7"))).isEqualTo(Reply.MISSING);
    assertThat(copy.read(new Command.Scan("a", 2000, List.of()))).isEqualTo(sm.read(new Command.Scan("a", 2000, List.of())));
  }

  @Test
  void corruptSnapshotIsRefusedAndLeavesStateAlone() throws IOException {
    KvStateMachine sm = new KvStateMachine();
    sm.apply(new Command.Put("k", rec("f", "v")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.snapshot(out);
    byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 6);
    KvStateMachine target = new KvStateMachine();
    target.apply(new Command.Put("mine", rec("f", "v")));
    assertThatThrownBy(() -> target.restore(new ByteArrayInputStream(cut))).isInstanceOf(IOException.class);
    assertThat(target.read(new Command.Get("mine"))).isInstanceOf(Reply.Found.class);
  }
}
