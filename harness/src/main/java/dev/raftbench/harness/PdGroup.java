package dev.raftbench.harness;

import dev.raftbench.store.client.RetryPolicy;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.JumpHashPartitioner;
import dev.raftbench.store.shard.Placements;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The placement driver's own Raft group: a 3-node, 1-shard cluster of the trial's engine (same
 * library, same transport, disk log, fsync, linearizable reads; its nodes in the trial's JVM, as
 * a PD is a service apart from the stores) holding the authoritative shard map, one record a
 * shard: its members and epoch. The PD writes a shard's record after each membership change of it
 * and plans from what it reads back, so a PD that started afresh would resume from the map.
 */
final class PdGroup implements AutoCloseable {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** One shard's entry in the map. */
  record Entry(long epoch, List<String> members) {}

  private final Engine engine;
  private final ShardedKvClient client;
  private final String description;
  private final AtomicLong writes = new AtomicLong();

  private PdGroup(Engine engine, String description) {
    this.engine = engine;
    this.client = new ShardedKvClient(engine, new JumpHashPartitioner(1), new RetryPolicy(PATIENCE, Duration.ofMillis(20), Duration.ofSeconds(1)));
    this.description = description;
  }

  /** Starts the group on the provider that runs the trial's cluster, with the trial's engine options. */
  static PdGroup start(EngineProvider provider, EngineSpec cluster) throws Exception {
    EngineSpec spec = new EngineSpec(3, 1, 3, Placements.defaultName(), cluster.transport(), LogStorage.DISK, true, ReadConsistency.LINEARIZABLE,
        null, cluster.options(), ClusterMode.EMBEDDED);
    Engine engine = provider.start(spec);
    return new PdGroup(engine, String.format("a %s group of its own: 3 nodes in the trial's JVM, 1 shard, %s, disk log", engine.name(),
        cluster.transport()));
  }

  void put(int shard, Entry entry) {
    Record r = Record.of(Map.of("epoch", bytes(Long.toString(entry.epoch())), "members", bytes(String.join(",", entry.members()))));
    Reply reply = await(client.put(key(shard), r));
    if (!(reply instanceof Reply.Done)) {
      throw new IllegalStateException("the pd group answered " + reply + " to writing shard " + shard + "'s entry");
    }
    writes.incrementAndGet();
  }

  /** The shard's entry as the group has it (a linearizable read); null if it has none. */
  Entry get(int shard) {
    Reply reply = await(client.get(key(shard), List.of()));
    if (reply instanceof Reply.Missing) {
      return null;
    }
    Record r = ((Reply.Found) reply).record();
    String members = new String(r.get("members"), StandardCharsets.UTF_8);
    return new Entry(Long.parseLong(new String(r.get("epoch"), StandardCharsets.UTF_8)),
        members.isEmpty() ? List.of() : Arrays.asList(members.split(",")));
  }

  long writes() {
    return writes.get();
  }

  String description() {
    return description;
  }

  private static String key(int shard) {
    return String.format("shard/%06d", shard);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Reply await(java.util.concurrent.CompletableFuture<Reply> f) {
    try {
      return f.get(PATIENCE.toSeconds() + 10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while talking to the pd group", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the pd group did not answer: " + ShardedKvClient.unwrap(e), e);
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      engine.close();
    }
  }
}
