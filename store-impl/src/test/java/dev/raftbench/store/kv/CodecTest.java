package dev.raftbench.store.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecTest {
  private static Record rec(String... kv) {
    java.util.TreeMap<String, byte[]> m = new java.util.TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return Record.of(m);
  }

  @Test
  void everyCommandRoundTrips() {
    List<Command> commands = List.of(
        new Command.Put("user1", rec("field0", "a", "field1", "bb")),
        new Command.Put("k", Record.empty()),
        new Command.Update("ключ", rec("f", "ü")),
        new Command.Delete("user2"),
        new Command.Get("user3"),
        new Command.Get("user3", List.of("field0", "field9")),
        new Command.Scan("user4", 100, List.of()),
        new Command.Scan("user4", 1, List.of("x")));
    for (Command c : commands) {
      assertThat(Codec.decodeCommand(Codec.encode(c))).isEqualTo(c);
      assertThat(Codec.decodeEntry(java.nio.ByteBuffer.wrap(Codec.encode(c)))).isEqualTo(new Codec.Entry(Codec.Entry.UNROUTED, c));
      // routed with an epoch: the same command, the epoch beside it
      assertThat(Codec.decodeCommand(Codec.encode(c, 300))).isEqualTo(c);
      assertThat(Codec.decodeEntry(java.nio.ByteBuffer.wrap(Codec.encode(c, 300)))).isEqualTo(new Codec.Entry(300, c));
    }
    assertThat(Codec.decodeEntry(java.nio.ByteBuffer.wrap(Codec.encodeEpoch(7)))).isEqualTo(new Codec.Entry(7, null));
    assertThatThrownBy(() -> Codec.decodeCommand(Codec.encodeEpoch(7))).isInstanceOf(CodecException.class).hasMessageContaining("epoch entry");
    assertThat(Codec.encode(new Command.Get("k"), Codec.Entry.UNROUTED)).isEqualTo(Codec.encode(new Command.Get("k")));
    assertThatThrownBy(() -> Codec.encode(new Command.Get("k"), -2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Codec.decodeReply(Codec.encodeStale(4, 3)))
        .isInstanceOf(dev.raftbench.store.engine.StaleEpochException.class).hasMessageContaining("epoch 3").hasMessageContaining("at 4");
  }

  @Test
  void everyReplyRoundTrips() {
    List<Reply> replies = List.of(Reply.DONE, Reply.MISSING, new Reply.Found(rec("a", "1")), new Reply.Found(Record.empty()),
        new Reply.Rows(List.of()), new Reply.Rows(List.of(new Reply.Row("a", rec("x", "y")), new Reply.Row("b", Record.empty()))));
    for (Reply r : replies) {
      assertThat(Codec.decodeReply(Codec.encode(r))).isEqualTo(r);
    }
  }

  @Test
  void encodingIsCompact() {
    byte[] b = Codec.encode(new Command.Get("user1"));
    assertThat(b).hasSize(1 + 1 + 1 + 5 + 1);
    assertThat(b[0]).isEqualTo((byte) Codec.VERSION);
  }

  @Test
  void refusesOtherVersionsTruncationAndTrailingBytes() {
    byte[] good = Codec.encode(new Command.Put("user1", rec("f", "v")));
    byte[] otherVersion = good.clone();
    otherVersion[0] = 9;
    assertThatThrownBy(() -> Codec.decodeCommand(otherVersion)).isInstanceOf(CodecException.class).hasMessageContaining("version 9");
    for (int len = 0; len < good.length; len++) {
      byte[] cut = Arrays.copyOf(good, len);
      assertThatThrownBy(() -> Codec.decodeCommand(cut)).isInstanceOf(CodecException.class);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> Codec.decodeCommand(longer)).isInstanceOf(CodecException.class).hasMessageContaining("trailing");
  }

  @Test
  void randomGarbageNeverEscapesAsAnythingButCodecOrArgumentException() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[random.nextInt(40)];
      random.nextBytes(junk);
      if (junk.length > 0) {
        junk[0] = 1;
      }
      try {
        Codec.decodeCommand(junk);
        Codec.decodeReply(junk);
      } catch (IllegalArgumentException expected) {
        // CodecException or a command constructor refusing (e.g. empty key)
      }
    }
  }

  @Test
  void refusesOversizedCommands() {
    Record big = Record.of(Map.of("f", new byte[Codec.MAX_COMMAND_BYTES]));
    assertThatThrownBy(() -> Codec.encode(new Command.Put("k", big))).isInstanceOf(CodecException.class).hasMessageContaining("exceeds the limit");
  }
}
