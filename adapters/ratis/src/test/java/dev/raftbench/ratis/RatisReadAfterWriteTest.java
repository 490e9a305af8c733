package dev.raftbench.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A linearizable read just after a write: Ratis 3.3.0 tells the followers the write's commit index
 * only with the next entries or the next periodic heartbeat, and the read waits for their
 * acknowledgement of it. With heartbeats 30 s apart here, a read after a write is answered in time
 * only because the engine appends a no-op for it ({@link RatisEngine#NUDGE_OPTION}). Without the
 * no-op about one read in four waited for the heartbeat (Ratis' own commit-index entry usually goes
 * out before the read asks, and an acknowledgement of an earlier append does not count), so 20
 * rounds make a stall near certain: with the option at 0 a read timed out.
 */
class RatisReadAfterWriteTest {
  /** Heartbeats every rpc.timeout.min / 2 = 30 s; elections only after 60-120 s of silence. */
  private static final Map<String, String> SLOW_HEARTBEATS = Map.of("raft.server.rpc.timeout.min", "60s", "raft.server.rpc.timeout.max",
      "120s", "raft.server.rpc.request.timeout", "30s", "raft.client.rpc.request.timeout", "30s");

  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void aReadAfterAWriteIsAnsweredBeforeTheNextHeartbeat() throws Exception {
    EngineSpec spec = new EngineSpec(3, 1, "grpc", LogStorage.DISK, ReadConsistency.LINEARIZABLE, null, Map.of())
        .withOptions(SLOW_HEARTBEATS);
    RatisEngine engine = RatisEngine.start(spec);
    try {
      for (int i = 0; i < 20; i++) {
        String key = "k" + i;
        byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
        engine.write(0, new Command.Put(key, Record.of(Map.of("f", value)))).get(20, TimeUnit.SECONDS);
        // well before the next heartbeat (30 s) and the client's timeout (30 s): only a no-op makes this in time
        Reply r = engine.read(0, new Command.Get(key, java.util.List.of())).get(20, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(Reply.Found.class);
        assertThat(((Reply.Found) r).record()).isEqualTo(Record.of(Map.of("f", value)));
      }
      assertThat(engine.settings().get(RatisEngine.NUDGE_OPTION)).startsWith("20 ");
    } finally {
      engine.close();
    }
  }

  @Test
  void theNudgeOptionIsCheckedBeforeAnythingStarts() {
    EngineSpec spec = new EngineSpec(3, 1, "grpc", LogStorage.MEMORY, ReadConsistency.LINEARIZABLE, null, Map.of(RatisEngine.NUDGE_OPTION, "soon"));
    assertThatThrownBy(() -> RatisEngine.start(spec)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("raftbench.read.nudge.ms takes milliseconds");
  }
}
