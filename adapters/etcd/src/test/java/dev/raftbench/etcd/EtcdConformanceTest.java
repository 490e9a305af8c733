package dev.raftbench.etcd;

import dev.raftbench.store.conformance.EngineConformanceSuite;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The conformance suite on real etcd processes: two shards, so two etcd clusters of three
 * members each, every member a child process on 127.0.0.1.
 */
class EtcdConformanceTest extends EngineConformanceSuite {
  /** etcd keeps this many entries in its Raft log after a snapshot, for slow followers (3.4, fixed). */
  static final int CATCH_UP_ENTRIES = 5000;

  @Override
  protected EngineProvider provider() {
    return new EtcdEngineProvider();
  }

  @Override
  protected int shards() {
    return 2;
  }

  @Override
  protected EngineSpec spec() {
    return super.spec().withLog(LogStorage.DISK);
  }

  /** Snapshot every 100 entries, so the log is compacted soon after the catch-up window is passed. */
  @Override
  protected Map<String, String> compactionOptions() {
    return Map.of("snapshot.count", "100");
  }

  /**
   * etcd compacts its Raft log only to {@value #CATCH_UP_ENTRIES} entries behind its latest
   * snapshot: push the shard that far past what the stopped member has, so the leader no longer
   * holds the entries it would need to send and must send a snapshot.
   */
  @Override
  protected void compact(Engine engine, int shard) throws Exception {
    List<CompletableFuture<Reply>> window = new ArrayList<>();
    for (int i = 0; i < CATCH_UP_ENTRIES + 500; i++) {
      window.add(engine.write(shard, new Command.Put("filler" + (i % 50), Record.empty())));
      if (window.size() == 64) {
        for (CompletableFuture<Reply> f : window) {
          await(f);
        }
        window.clear();
      }
    }
    for (CompletableFuture<Reply> f : window) {
      await(f);
    }
  }

  /**
   * The restarted member says in its log that it received the leader's snapshot and applied it
   * (3.4 logs this only for a snapshot from the leader; its own snapshots say "saved snapshot").
   */
  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    // rafthttp's line when a leader's snapshot arrives, then etcdserver's when it replaced the member's state
    assertLogSays(((EtcdEngine) engine).memberDataDir(node, shard).resolveSibling("etcd.log"),
        "received and saved database snapshot", "applied snapshot");
  }
}
