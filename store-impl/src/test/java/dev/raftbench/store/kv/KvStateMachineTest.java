package dev.raftbench.store.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import dev.raftbench.store.engine.StaleEpochException;
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

  /** A command routed with an older epoch than the shard's is refused and changes nothing; equal, newer and unrouted ones pass. */
  @Test
  void commandsRoutedWithAStaleEpochAreRefused() {
    KvStateMachine sm = new KvStateMachine();
    ByteBuffer put0 = ByteBuffer.wrap(Codec.encode(new Command.Put("k", rec("f", "at 0")), 0));
    assertThat(Codec.decodeReply(sm.execute(put0))).isEqualTo(Reply.DONE);

    assertThat(Codec.decodeReply(sm.execute(ByteBuffer.wrap(Codec.encodeEpoch(2))))).isEqualTo(Reply.DONE);
    assertThat(sm.epoch()).isEqualTo(2);
    // an older epoch entry (a retried or reordered one) never lowers it
    sm.execute(ByteBuffer.wrap(Codec.encodeEpoch(1)));
    assertThat(sm.epoch()).isEqualTo(2);

    byte[] refused = sm.execute(ByteBuffer.wrap(Codec.encode(new Command.Put("k", rec("f", "at 1")), 1)));
    assertThatThrownBy(() -> Codec.decodeReply(refused)).isInstanceOfSatisfying(StaleEpochException.class, e -> {
      assertThat(e.sent()).isEqualTo(1);
      assertThat(e.current()).isEqualTo(2);
      assertThat(e.retriable()).isTrue();
    });
    byte[] staleRead = sm.query(ByteBuffer.wrap(Codec.encode(new Command.Get("k"), 1)));
    assertThatThrownBy(() -> Codec.decodeReply(staleRead)).isInstanceOf(StaleEpochException.class);
    assertThat(sm.read(new Command.Get("k"))).isEqualTo(new Reply.Found(rec("f", "at 0")));

    assertThat(Codec.decodeReply(sm.execute(ByteBuffer.wrap(Codec.encode(new Command.Put("k", rec("f", "at 2")), 2))))).isEqualTo(Reply.DONE);
    assertThat(Codec.decodeReply(sm.execute(ByteBuffer.wrap(Codec.encode(new Command.Update("k", rec("g", "at 3")), 3))))).isEqualTo(Reply.DONE);
    assertThat(Codec.decodeReply(sm.query(ByteBuffer.wrap(Codec.encode(new Command.Get("k", List.of("f")))))))
        .isEqualTo(new Reply.Found(rec("f", "at 2")));
    assertThatThrownBy(() -> sm.query(ByteBuffer.wrap(Codec.encode(new Command.Delete("k"), 2)))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEpochTravelsWithTheSnapshot() throws IOException {
    KvStateMachine sm = new KvStateMachine();
    sm.apply(new Command.Put("k", rec("f", "v")));
    sm.execute(ByteBuffer.wrap(Codec.encodeEpoch(5)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.snapshot(out);
    KvStateMachine copy = new KvStateMachine();
    copy.restore(new ByteArrayInputStream(out.toByteArray()));
    assertThat(copy.epoch()).isEqualTo(5);
    assertThatThrownBy(() -> Codec.decodeReply(copy.execute(ByteBuffer.wrap(Codec.encode(new Command.Delete("k"), 4)))))
        .isInstanceOf(StaleEpochException.class);
    assertThat(copy.read(new Command.Get("k"))).isEqualTo(new Reply.Found(rec("f", "v")));
  }

  /** A snapshot written before epochs existed (format 1) restores at epoch 0. */
  @Test
  void aFormatOneSnapshotRestoresAtEpochZero() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x52424b56);
    out.writeInt(1);
    out.writeLong(0);
    out.writeInt(-1);
    KvStateMachine sm = new KvStateMachine();
    sm.execute(ByteBuffer.wrap(Codec.encodeEpoch(3)));
    sm.restore(new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(sm.epoch()).isZero();
    assertThat(sm.size()).isZero();
  }
}
