package dev.raftbench.store.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.raftbench.store.client.RetryPolicy;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.engine.StaleEpochException;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.JumpHashPartitioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every engine must do. An adapter's test is a subclass naming its provider and transport.
 * Tests for capabilities an engine does not declare are reported as skipped (assumption failed),
 * and the engine must refuse them with {@link UnsupportedCapabilityException}.
 */
public abstract class EngineConformanceSuite {
  /** Upper bound on any single wait; a bound against hangs, not a timing assertion. */
  protected static final Duration PATIENCE = Duration.ofSeconds(90);

  private Engine engine;
  private ShardedKvClient client;

  protected abstract EngineProvider provider();

  protected String transport() {
    return provider().defaultTransport();
  }

  protected int nodes() {
    return 3;
  }

  protected int shards() {
    return 4;
  }

  /** Engine options that make a shard snapshot and purge its log after a few dozen entries. */
  protected Map<String, String> compactionOptions() {
    return Map.of();
  }

  /**
   * Called after the writes a stopped member missed: an engine whose compaction is not driven by
   * {@link #compactionOptions()} alone forces its snapshots and log truncation here.
   */
  protected void compact(Engine engine, int shard) throws Exception {}

  /** The engine-specific proof that {@code node} caught up by installing a snapshot. */
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {}

  protected EngineSpec spec() {
    return new EngineSpec(nodes(), shards(), transport(), LogStorage.MEMORY, ReadConsistency.LINEARIZABLE, null, Map.of());
  }

  protected final ShardedKvClient start(EngineSpec spec) throws Exception {
    engine = provider().start(spec);
    client = new ShardedKvClient(engine, new JumpHashPartitioner(spec.shards()), new RetryPolicy(PATIENCE, Duration.ofMillis(20), Duration.ofMillis(500)));
    return client;
  }

  @AfterEach
  void closeCluster() {
    if (client != null) {
      client.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private boolean has(Capability c) {
    return provider().capabilities(spec()).contains(c);
  }

  protected static Record record(String... kv) {
    Map<String, byte[]> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return Record.of(m);
  }

  /**
   * For engines whose replicas live in other processes: the replica's log (a node JVM's, an etcd
   * member's) says each of {@code lines}, e.g. that it installed the leader's snapshot.
   */
  protected static void assertLogSays(Path log, String... lines) {
    try {
      assertThat(Files.readString(log)).as("log " + log).contains(lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  protected static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void crudAndFieldUpdates() throws Exception {
    ShardedKvClient c = start(spec());
    assertThat(await(c.put("user1", record("field0", "a", "field1", "b")))).isEqualTo(Reply.DONE);
    assertThat(await(c.get("user1", List.of()))).isEqualTo(new Reply.Found(record("field0", "a", "field1", "b")));

    assertThat(await(c.update("user1", record("field1", "B", "field2", "c")))).isEqualTo(Reply.DONE);
    assertThat(await(c.get("user1", List.of()))).isEqualTo(new Reply.Found(record("field0", "a", "field1", "B", "field2", "c")));
    assertThat(await(c.get("user1", List.of("field2", "nope")))).isEqualTo(new Reply.Found(record("field2", "c")));

    assertThat(await(c.update("absent", record("field0", "x")))).isEqualTo(Reply.MISSING);
    assertThat(await(c.get("absent", List.of()))).isEqualTo(Reply.MISSING);

    assertThat(await(c.put("user1", record("only", "z")))).isEqualTo(Reply.DONE);
    assertThat(await(c.get("user1", List.of()))).isEqualTo(new Reply.Found(record("only", "z")));

    assertThat(await(c.delete("user1"))).isEqualTo(Reply.DONE);
    assertThat(await(c.get("user1", List.of()))).isEqualTo(Reply.MISSING);
    assertThat(await(c.delete("user1"))).isEqualTo(Reply.MISSING);
  }

  @Test
  void scansSpanShardsAndReturnOrderedCompleteResults() throws Exception {
    ShardedKvClient c = start(spec());
    List<CompletableFuture<Reply>> puts = new ArrayList<>();
    Set<Integer> shardsHit = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String key = String.format("key%04d", i);
      shardsHit.add(c.shardOf(key));
      puts.add(c.put(key, record("f", "v" + i)));
    }
    for (CompletableFuture<Reply> p : puts) {
      assertThat(await(p)).isEqualTo(Reply.DONE);
    }
    assertThat(shardsHit).hasSize(shards());

    Reply.Rows rows = (Reply.Rows) await(c.scan("key0050", 60, List.of()));
    assertThat(rows.rows()).extracting(Reply.Row::key)
        .containsExactlyElementsOf(expectedKeys(50, 110));
    assertThat(rows.rows().get(0).record()).isEqualTo(record("f", "v50"));

    Reply.Rows tail = (Reply.Rows) await(c.scan("key0190", 100, List.of()));
    assertThat(tail.rows()).extracting(Reply.Row::key).containsExactlyElementsOf(expectedKeys(190, 200));

    Reply.Rows all = (Reply.Rows) await(c.scan("a", 1000, List.of("f")));
    assertThat(all.rows()).extracting(Reply.Row::key).containsExactlyElementsOf(expectedKeys(0, 200));

    Reply.Rows none = (Reply.Rows) await(c.scan("zzz", 10, List.of()));
    assertThat(none.rows()).isEmpty();
  }

  private static List<String> expectedKeys(int from, int to) {
    List<String> keys = new ArrayList<>();
    for (int i = from; i < to; i++) {
      keys.add(String.format("key%04d", i));
    }
    return keys;
  }

  @Test
  void refusesBadCommands() throws Exception {
    ShardedKvClient c = start(spec());
    assertThatThrownBy(() -> new Command.Get("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty key");
    byte[] huge = new byte[5 << 20];
    CompletableFuture<Reply> f = c.put("big", Record.of(Map.of("f", huge)));
    assertThatThrownBy(() -> await(f)).hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
    assertThat(await(c.get("big", List.of()))).isEqualTo(Reply.MISSING);
  }

  @Test
  void acknowledgedWritesSurviveLeaderStop() throws Exception {
    if (!has(Capability.NODE_STOP_START)) {
      start(spec());
      assertThatThrownBy(() -> engine.stopNode(engine.nodes().get(0))).isInstanceOf(UnsupportedCapabilityException.class);
      assumeTrue(false, "engine declares no NODE_STOP_START");
    }
    // a disk log: a restarted node must come back with what it had acknowledged
    ShardedKvClient c = start(spec().withLog(LogStorage.DISK));
    Map<String, Record> acked = new TreeMap<>();
    for (int i = 0; i < 100; i++) {
      String key = "acked" + i;
      Record r = record("f", "value" + i);
      assertThat(await(c.put(key, r))).isEqualTo(Reply.DONE);
      acked.put(key, r);
    }
    int shard = c.shardOf("acked0");
    String leader = awaitLeader(shard);
    engine.stopNode(leader);

    for (Map.Entry<String, Record> e : acked.entrySet()) {
      assertThat(await(c.get(e.getKey(), List.of()))).as(e.getKey()).isEqualTo(new Reply.Found(e.getValue()));
    }
    assertThat(awaitLeader(shard)).isNotEqualTo(leader);
    for (int i = 100; i < 120; i++) {
      assertThat(await(c.put("acked" + i, record("f", "value" + i)))).isEqualTo(Reply.DONE);
    }
    engine.startNode(leader);
    for (int i = 0; i < 120; i++) {
      assertThat(await(c.get("acked" + i, List.of()))).isEqualTo(new Reply.Found(record("f", "value" + i)));
    }
  }

  @Test
  void stoppedMemberCatchesUpBySnapshotAfterLogPurge() throws Exception {
    assumeTrue(has(Capability.NODE_STOP_START) && has(Capability.SNAPSHOT_INSTALL), "engine declares no snapshot install");
    // a disk log: this is about what a member keeps and what it must be sent
    ShardedKvClient c = start(spec().withLog(LogStorage.DISK).withOptions(compactionOptions()));
    int shard = 0;
    String leader = awaitLeader(shard);
    String follower = engine.members(shard).stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    engine.stopNode(follower);

    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 300; i++) {
      String key = "lag" + i;
      if (c.shardOf(key) == shard) {
        keys.add(key);
      }
    }
    for (String key : keys) {
      assertThat(await(c.put(key, record("f", key)))).isEqualTo(Reply.DONE);
    }
    compact(engine, shard);
    engine.startNode(follower);

    String last = keys.get(keys.size() - 1);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Reply seen = null;
    while (System.nanoTime() < deadline) {
      try {
        seen = engine.readAt(follower, shard, new Command.Get(last)).get(10, TimeUnit.SECONDS);
        if (seen instanceof Reply.Found) {
          break;
        }
      } catch (Exception notYet) {
        // the node is still starting
      }
      Thread.sleep(100);
    }
    assertThat(seen).as("last write on the restarted member").isEqualTo(new Reply.Found(record("f", last)));
    for (String key : keys) {
      assertThat(await(engine.readAt(follower, shard, new Command.Get(key)))).as(key).isEqualTo(new Reply.Found(record("f", key)));
    }
    assertInstalledSnapshot(engine, follower, shard);
  }

  @Test
  void honoursThePlacementItIsGiven() throws Exception {
    assumeTrue(has(Capability.PLACEMENT), "engine declares no PLACEMENT");
    // the seed's table: 4 nodes, 3 replicas, shard i on nodes i, i+1, i+2
    EngineSpec spec = spec().withPlacement(4, 3, "ring");
    ShardedKvClient c = start(spec);
    List<List<Integer>> layout = spec.layout();
    for (int s = 0; s < spec.shards(); s++) {
      List<String> expected = layout.get(s).stream().map(i -> engine.nodes().get(i)).sorted().toList();
      assertThat(engine.members(s)).as("members of shard " + s).isEqualTo(expected);
      assertThat(expected).doesNotContain(engine.nodes().get((s + 3) % 4));
      assertThat(awaitLeader(s)).isIn(expected);
    }
    for (int i = 0; i < 40; i++) {
      assertThat(await(c.put("placed" + i, record("f", "v" + i)))).isEqualTo(Reply.DONE);
    }
    Reply.Rows rows = (Reply.Rows) await(c.scan("placed", 100, List.of()));
    assertThat(rows.rows()).hasSize(40);
  }

  @Test
  void membershipChangesMoveAShardToAnotherNode() throws Exception {
    if (!has(Capability.MEMBERSHIP)) {
      start(spec());
      assertThatThrownBy(() -> engine.transferLeadership(0, engine.nodes().get(0))).isInstanceOf(UnsupportedCapabilityException.class);
      assumeTrue(false, "engine declares no MEMBERSHIP");
    }
    // 4 nodes, shard 0 on three of them: move it onto the fourth, then away from an old member
    EngineSpec spec = spec().withPlacement(4, 3, "ring");
    ShardedKvClient c = start(spec);
    int shard = 0;
    List<String> before = engine.members(shard);
    String newcomer = engine.nodes().stream().filter(n -> !before.contains(n)).findFirst().orElseThrow();
    List<String> keys = keysOf(c, shard, 50);
    for (String key : keys) {
      assertThat(await(c.put(key, record("f", key)))).isEqualTo(Reply.DONE);
    }

    long before0 = engine.epoch(shard);
    assertThat(c.epoch(shard)).isEqualTo(before0);
    engine.addMember(shard, newcomer);
    assertThat(engine.members(shard)).contains(newcomer).hasSize(4);
    // the change raised the shard's epoch: a command routed with the old one is refused, and the
    // client, whose map still has the old one, refreshes it and sends again
    assertThat(engine.epoch(shard)).isEqualTo(before0 + 1);
    assertThatThrownBy(() -> await(engine.write(shard, before0, new Command.Put(keys.get(0), record("f", "stale"))))).cause()
        .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.current()).isEqualTo(before0 + 1));
    assertThatThrownBy(() -> await(engine.read(shard, before0, new Command.Get(keys.get(0))))).cause().isInstanceOf(StaleEpochException.class);
    assertThat(await(c.get(keys.get(0), List.of()))).isEqualTo(new Reply.Found(record("f", keys.get(0))));
    assertThat(c.staleEpochRetries()).isEqualTo(1);
    assertThat(c.epoch(shard)).isEqualTo(before0 + 1);
    engine.transferLeadership(shard, newcomer);
    assertThat(awaitLeader(shard)).isEqualTo(newcomer);
    String leaving = before.get(0);
    engine.removeMember(shard, leaving);
    assertThat(engine.members(shard)).doesNotContain(leaving).contains(newcomer).hasSize(3);
    assertThat(engine.epoch(shard)).isEqualTo(before0 + 2);

    // the group still takes writes; once the newcomer applied the last one, it holds all before it
    String last = keys.get(keys.size() - 1);
    assertThat(await(c.put(last, record("f", "after")))).isEqualTo(Reply.DONE);
    assertThat(c.staleEpochRetries()).isEqualTo(2);
    assertThat(await(c.get(last, List.of()))).isEqualTo(new Reply.Found(record("f", "after")));
    // the stale write above changed nothing anywhere
    assertThat(await(c.get(keys.get(0), List.of()))).isEqualTo(new Reply.Found(record("f", keys.get(0))));
    Reply after = new Reply.Found(record("f", "after"));
    assertThat(awaitOn(newcomer, shard, last, after)).isEqualTo(after);
    for (String key : keys.subList(0, keys.size() - 1)) {
      assertThat(await(engine.readAt(newcomer, shard, new Command.Get(key)))).as(key).isEqualTo(new Reply.Found(record("f", key)));
    }
  }

  /**
   * A node joins empty, takes a replica of shard 0 (everything before it readable there), keeps it
   * across its own restart, gives it up and leaves; a node still holding a replica cannot leave.
   */
  @Test
  void aNodeJoinsTakesAShardKeepsItAcrossARestartAndLeaves() throws Exception {
    if (!has(Capability.NODE_JOIN)) {
      start(spec());
      assertThatThrownBy(() -> engine.addNode()).isInstanceOf(UnsupportedCapabilityException.class);
      assumeTrue(false, "engine declares no NODE_JOIN");
    }
    ShardedKvClient c = start(spec().withLog(LogStorage.DISK));
    int shard = 0;
    List<String> keys = keysOf(c, shard, 20);
    for (String key : keys) {
      assertThat(await(c.put(key, record("f", key)))).isEqualTo(Reply.DONE);
    }
    String newcomer = engine.addNode();
    assertThat(engine.nodes()).contains(newcomer).hasSize(nodes() + 1);
    assertThat(engine.members(shard)).doesNotContain(newcomer);
    engine.addMember(shard, newcomer);
    Reply first = new Reply.Found(record("f", keys.get(0)));
    assertThat(awaitOn(newcomer, shard, keys.get(0), first)).isEqualTo(first);

    // restarted, it comes back with its replica: a write after the restart reaches it
    engine.stopNode(newcomer);
    engine.startNode(newcomer);
    String last = keys.get(keys.size() - 1);
    assertThat(await(c.put(last, record("f", "after")))).isEqualTo(Reply.DONE);
    Reply after = new Reply.Found(record("f", "after"));
    assertThat(awaitOn(newcomer, shard, last, after)).isEqualTo(after);

    String holder = engine.members(shard).stream().filter(n -> !n.equals(newcomer)).findFirst().orElseThrow();
    assertThatThrownBy(() -> engine.removeNode(holder)).hasMessageContaining("still holds a replica");
    engine.removeMember(shard, newcomer);
    engine.removeNode(newcomer);
    assertThat(engine.nodes()).doesNotContain(newcomer).hasSize(nodes());
    assertThat(await(c.get(last, List.of()))).isEqualTo(after);
  }

  /** Polls one replica's own state until it answers as expected (a follower applies a little behind the leader). */
  private Reply awaitOn(String node, int shard, String key, Reply expected) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Reply seen = null;
    while (System.nanoTime() < deadline) {
      seen = await(engine.readAt(node, shard, new Command.Get(key)));
      if (seen.equals(expected)) {
        return seen;
      }
      Thread.sleep(50);
    }
    return seen;
  }

  private static List<String> keysOf(ShardedKvClient c, int shard, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      String key = "moved" + i;
      if (c.shardOf(key) == shard) {
        keys.add(key);
      }
    }
    return keys;
  }

  @Test
  void closeLeavesNoNonDaemonThreads() throws Exception {
    Set<Thread> before = nonDaemonThreads();
    ShardedKvClient c = start(spec());
    for (int i = 0; i < 20; i++) {
      assertThat(await(c.put("t" + i, record("f", "v")))).isEqualTo(Reply.DONE);
    }
    await(c.scan("t", 5, List.of()));
    closeCluster();
    engine = null;
    client = null;

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Set<Thread> left = leftOver(before);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      left = leftOver(before);
    }
    assertThat(left.stream().map(Thread::getName).collect(Collectors.toList())).as("non-daemon threads left after close").isEmpty();
  }

  private static Set<Thread> leftOver(Set<Thread> before) {
    Set<Thread> now = nonDaemonThreads();
    now.removeAll(before);
    return now;
  }

  private static Set<Thread> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toCollection(HashSet::new));
  }

  protected final String awaitLeader(int shard) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      var l = engine.leader(shard);
      if (l.isPresent()) {
        return l.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader for shard " + shard + " within " + PATIENCE);
  }
}
