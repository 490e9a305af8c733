package dev.raftbench.atomix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftbench.store.client.RetryPolicy;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.JumpHashPartitioner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Acknowledged writes survive a snapshot followed by a full restart of every member: the case in
 * which an early trial saw Atomix's own AtomicMap lose its last writes. The same check run on
 * Atomix's memory storage, whose snapshots live in memory only (the log before them deleted), must find the loss.
 */
class AtomixDurabilityTest {
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  void acknowledgedWritesSurviveSnapshotAndFullRestart() throws Exception {
    assertThat(lostAfterSnapshotAndFullRestart("mapped")).isEmpty();
  }

  @Test
  void theCheckFindsLossOnStorageThatForgets() throws Exception {
    assertThat(lostAfterSnapshotAndFullRestart("memory-lossy")).isNotEmpty();
  }

  /** Writes, snapshots every shard, writes more, restarts all members at once, reads every key back. */
  private static List<String> lostAfterSnapshotAndFullRestart(String storage) throws Exception {
    EngineSpec spec = new EngineSpec(3, 2, "netty", LogStorage.DISK, ReadConsistency.LINEARIZABLE, null, Map.of(
        // small segments: the snapshot lets each member delete the segments before it, so a restart needs the snapshot
        "storage", storage, "segment.size", String.valueOf(16 * 1024), "max.entry.size", String.valueOf(8 * 1024)));
    AtomixEngine engine = AtomixEngine.start(spec);
    ShardedKvClient client = new ShardedKvClient(engine, new JumpHashPartitioner(spec.shards()),
        new RetryPolicy(PATIENCE, Duration.ofMillis(50), Duration.ofMillis(1000)));
    try {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        keys.add(put(client, "before-snapshot-" + i));
      }
      for (int s = 0; s < spec.shards(); s++) {
        engine.snapshot(s);
        for (String n : engine.members(s)) {
          // compaction happened: the first segment is gone, so a restart depends on the snapshot
          try (Stream<Path> files = Files.list(engine.partitionDir(n, s))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("log of shard " + s + " on " + n).noneMatch(f -> f.endsWith("-1.log"));
          }
        }
      }
      // the last writes: after the snapshot, only in the log
      for (int i = 0; i < 50; i++) {
        keys.add(put(client, "after-snapshot-" + i));
      }

      for (String n : engine.nodes()) {
        engine.stopNode(n);
      }
      // a member cannot finish starting alone (its management group needs a quorum): all at once
      List<CompletableFuture<Void>> starting = new ArrayList<>();
      for (String n : engine.nodes()) {
        starting.add(CompletableFuture.runAsync(() -> engine.startNode(n)));
      }
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

      List<String> lost = new ArrayList<>();
      for (String key : keys) {
        Reply r = client.get(key, List.of()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        if (!r.equals(new Reply.Found(record(key)))) {
          lost.add(key);
        }
      }
      return lost;
    } finally {
      client.close();
      engine.close();
    }
  }

  private static String put(ShardedKvClient client, String key) throws Exception {
    assertThat(client.put(key, record(key)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Reply.DONE);
    return key;
  }

  /** About 1 KB, so that the writes before the snapshot fill many 16 KB segments that compaction then deletes. */
  private static Record record(String key) {
    return Record.of(Map.of("f", (key + "-" + "x".repeat(1000)).getBytes(StandardCharsets.UTF_8)));
  }
}
