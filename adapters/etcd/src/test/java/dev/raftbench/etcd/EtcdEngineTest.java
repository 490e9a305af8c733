package dev.raftbench.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftbench.store.client.RetryPolicy;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.JumpHashPartitioner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the conformance suite does not cover: options, a cluster given by endpoints, a crash of every member. */
class EtcdEngineTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private static EngineSpec spec(int nodes, int shards, Map<String, String> options) {
    return new EngineSpec(nodes, shards, "grpc", LogStorage.DISK, ReadConsistency.LINEARIZABLE, null, options);
  }

  private static ShardedKvClient client(EtcdEngine engine) {
    return new ShardedKvClient(engine, new JumpHashPartitioner(engine.shards()),
        new RetryPolicy(PATIENCE, Duration.ofMillis(50), Duration.ofMillis(1000)));
  }

  private static Record record(String v) {
    return Record.of(Map.of("f", v.getBytes(StandardCharsets.UTF_8)));
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void refusesWhatEtcdCannotDoBeforeStartingAnything() {
    EtcdEngineProvider p = new EtcdEngineProvider();
    assertThatThrownBy(() -> p.validate(spec(3, 1, Map.of()).withLog(LogStorage.MEMORY)))
        .hasMessageContaining("always keeps its log on disk");
    assertThatThrownBy(() -> p.validate(new EngineSpec(3, 1, "grpc", LogStorage.DISK, ReadConsistency.LEASE, null, Map.of())))
        .hasMessageContaining("no lease reads");
    assertThatThrownBy(() -> p.validate(new EngineSpec(3, 1, "netty", LogStorage.DISK, ReadConsistency.LINEARIZABLE, null, Map.of())))
        .hasMessageContaining("unknown transport 'netty'");
    assertThatThrownBy(() -> p.validate(spec(3, 1, Map.of("election", "5"))))
        .hasMessageContaining("unknown etcd option 'election'").hasMessageContaining("election.ms");
    assertThatThrownBy(() -> p.validate(spec(3, 1, Map.of("heartbeat.ms", "100", "election.ms", "300"))))
        .hasMessageContaining("at least 5 times");
    assertThatThrownBy(() -> p.validate(spec(3, 1, Map.of("snapshot.count", "-3"))))
        .hasMessageContaining("snapshot.count must be a positive integer");
    assertThatThrownBy(() -> p.validate(spec(3, 1, Map.of("binary", "no-such-etcd-binary"))))
        .hasMessageContaining("apt-get install etcd-server");
    assertThatThrownBy(() -> p.validate(spec(3, 2, Map.of("endpoints", "http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3"))))
        .hasMessageContaining("--shards 1");
    assertThatThrownBy(() -> p.validate(spec(3, 1, Map.of("endpoints", "http://127.0.0.1:1"))))
        .hasMessageContaining("--nodes 1 --replication 1");
    assertThatThrownBy(() -> p.validate(spec(1, 1, Map.of("endpoints", "127.0.0.1:2379"))))
        .hasMessageContaining("must look like http://HOST:PORT");
  }

  @Test
  void drivesAClusterGivenByEndpointsInItsOwnNamespaceAndEmptiesItOnClose() throws Exception {
    // the "user's" cluster: one this engine starts as child processes; a second engine is then given its endpoints
    try (EtcdEngine users = EtcdEngine.start(spec(3, 1, Map.of()))) {
      String endpoints = users.nodes().stream().map(n -> users.clientUrl(n, 0).toString()).collect(Collectors.joining(","));
      ShardedKvClient own = client(users);
      assertThat(await(own.put("their-key", record("theirs")))).isEqualTo(Reply.DONE);

      try (EtcdEngine given = EtcdEngine.start(spec(3, 1, Map.of("endpoints", endpoints, "prefix", "bench/")))) {
        ShardedKvClient c = client(given);
        for (int i = 0; i < 20; i++) {
          assertThat(await(c.put("k" + i, record("v" + i)))).isEqualTo(Reply.DONE);
        }
        // the engine's keys live under the prefix: the user's own key is out of its sight, and it of ours
        assertThat(await(c.get("their-key", List.of()))).isEqualTo(Reply.MISSING);
        assertThat(((Reply.Rows) await(c.scan("a", 100, List.of()))).rows()).hasSize(20);
        assertThat(await(own.get("bench/k3", List.of()))).isEqualTo(new Reply.Found(record("v3")));
        assertThat(given.leader(0)).isPresent().get().isIn(given.nodes());
        assertThatThrownBy(() -> given.stopNode(given.nodes().get(0))).isInstanceOf(UnsupportedCapabilityException.class);

        // a second run on the same prefix while the first holds keys there is refused, not mixed in
        assertThatThrownBy(() -> EtcdEngine.start(spec(3, 1, Map.of("endpoints", endpoints, "prefix", "bench/"))))
            .hasMessageContaining("already holds 20 keys under the prefix 'bench/'");
      }
      // closed: its keys are gone, the user's key is not
      assertThat(((Reply.Rows) await(own.scan("a", 100, List.of()))).rows()).extracting(Reply.Row::key).containsExactly("their-key");
      assertThat(await(own.get("their-key", List.of()))).isEqualTo(new Reply.Found(record("theirs")));
    }
  }

  @Test
  void acknowledgedWritesSurviveAKillOfEveryMember() throws Exception {
    try (EtcdEngine engine = EtcdEngine.start(spec(3, 2, Map.of()))) {
      ShardedKvClient c = client(engine);
      List<CompletableFuture<Reply>> acks = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        acks.add(c.put("durable" + i, record("v" + i)));
      }
      for (CompletableFuture<Reply> a : acks) {
        assertThat(await(a)).isEqualTo(Reply.DONE);
      }
      for (String n : engine.nodes()) {
        engine.stopNode(n); // SIGKILL
      }
      for (String n : engine.nodes()) {
        engine.startNode(n);
      }
      for (int i = 0; i < 300; i++) {
        assertThat(await(c.get("durable" + i, List.of()))).as("durable" + i).isEqualTo(new Reply.Found(record("v" + i)));
      }
    }
  }

  @Test
  void concurrentUpdatesKeepEveryFieldOnEveryMember() throws Exception {
    EngineSpec stale = new EngineSpec(3, 1, "grpc", LogStorage.DISK, ReadConsistency.STALE, null, Map.of());
    try (EtcdEngine engine = EtcdEngine.start(stale)) {
      ShardedKvClient c = client(engine);
      assertThat(await(c.put("u", Record.of(Map.of("a", new byte[] {1}))))).isEqualTo(Reply.DONE);
      // concurrent updates of different fields: the compare-and-swap on the mod revision keeps every one
      List<CompletableFuture<Reply>> updates = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        updates.add(c.update("u", Record.of(Map.of("f" + i, new byte[] {(byte) i}))));
      }
      for (CompletableFuture<Reply> u : updates) {
        assertThat(await(u)).isEqualTo(Reply.DONE);
      }
      assertThat(await(c.update("missing", record("x")))).isEqualTo(Reply.MISSING);
      assertThat(await(c.delete("missing"))).isEqualTo(Reply.MISSING);
      for (String n : engine.members(0)) {
        Record r = awaitFields(engine, n, 21);
        assertThat(r.size()).as("fields on " + n).isEqualTo(21);
      }
      URI url = engine.clientUrl(engine.nodes().get(0), 0);
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
    }
  }

  /** One member's own state, polled until it has applied the expected number of fields. */
  private static Record awaitFields(EtcdEngine engine, String node, int fields) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Record r = Record.empty();
    while (System.nanoTime() < deadline) {
      Reply reply = await(engine.readAt(node, 0, new Command.Get("u")));
      if (reply instanceof Reply.Found f) {
        r = f.record();
        if (r.size() == fields) {
          return r;
        }
      }
      Thread.sleep(50);
    }
    return r;
  }
}
