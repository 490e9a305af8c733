package dev.raftbench.store.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.ForwardingEngine;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.local.LocalEngineProvider;
import dev.raftbench.store.shard.JumpHashPartitioner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShardedKvClientTest {
  /** Fails the first {@code failures} calls with the given error, then delegates. */
  private static final class FlakyEngine extends ForwardingEngine {
    final AtomicInteger failures;
    final boolean retriable;

    FlakyEngine(Engine delegate, int failures, boolean retriable) {
      super("flaky", delegate);
      this.failures = new AtomicInteger(failures);
      this.retriable = retriable;
    }

    private CompletableFuture<Reply> maybeFail(java.util.function.Supplier<CompletableFuture<Reply>> call) {
      if (failures.getAndDecrement() > 0) {
        return CompletableFuture.failedFuture(new EngineException("leader changed", retriable));
      }
      return call.get();
    }

    @Override public CompletableFuture<Reply> write(int s, Command.Write w) { return maybeFail(() -> delegate.write(s, w)); }
    @Override public CompletableFuture<Reply> read(int s, Command.Read r) { return maybeFail(() -> delegate.read(s, r)); }
  }

  private static Engine local(int shards) {
    return new LocalEngineProvider().start(EngineSpec.of(1, shards, "inproc"));
  }

  @Test
  void retriesRetriableFailuresUntilTheyPass() throws Exception {
    FlakyEngine engine = new FlakyEngine(local(4), 3, true);
    try (ShardedKvClient c = new ShardedKvClient(engine, new JumpHashPartitioner(4), new RetryPolicy(Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO))) {
      assertThat(c.put("k", Record.empty()).get()).isEqualTo(Reply.DONE);
      assertThat(c.retries()).isEqualTo(3);
    }
  }

  @Test
  void doesNotRetryWhatCannotSucceed() {
    FlakyEngine engine = new FlakyEngine(local(4), 1, false);
    try (ShardedKvClient c = new ShardedKvClient(engine, new JumpHashPartitioner(4), RetryPolicy.DEFAULT)) {
      assertThatThrownBy(() -> c.get("k", List.of()).get()).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(EngineException.class);
      assertThat(c.retries()).isZero();
    }
  }

  @Test
  void closingFailsRequestsWaitingForARetry() throws Exception {
    FlakyEngine engine = new FlakyEngine(local(2), Integer.MAX_VALUE, true);
    ShardedKvClient c = new ShardedKvClient(engine, new JumpHashPartitioner(2), new RetryPolicy(Duration.ofHours(2), Duration.ofHours(1), Duration.ofHours(1)));
    CompletableFuture<Reply> waiting = c.put("k", Record.empty());
    assertThat(c.retries()).isEqualTo(1); // failed once, its retry scheduled an hour later
    c.close();
    assertThatThrownBy(() -> waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("closed while the request waited to be retried");
    engine.close();
  }

  @Test
  void givesUpAtTheDeadline() {
    FlakyEngine engine = new FlakyEngine(local(2), Integer.MAX_VALUE, true);
    try (ShardedKvClient c = new ShardedKvClient(engine, new JumpHashPartitioner(2), new RetryPolicy(Duration.ofMillis(200), Duration.ofMillis(10), Duration.ofMillis(10)))) {
      assertThatThrownBy(() -> c.get("k", List.of()).get()).hasCauseInstanceOf(EngineException.class);
      assertThat(c.retries()).isPositive();
    }
  }

  @Test
  void routesEveryKeyToTheShardItsPartitionerNames() throws Exception {
    Engine engine = local(8);
    JumpHashPartitioner p = new JumpHashPartitioner(8);
    try (ShardedKvClient c = new ShardedKvClient(engine, p, RetryPolicy.DEFAULT)) {
      for (int i = 0; i < 100; i++) {
        c.put("user" + i, Record.empty()).get();
      }
      for (int i = 0; i < 100; i++) {
        String key = "user" + i;
        for (int s = 0; s < 8; s++) {
          Reply r = engine.read(s, new Command.Get(key)).get();
          assertThat(r instanceof Reply.Found).as(key + " on shard " + s).isEqualTo(s == p.shardOf(key));
        }
      }
    }
  }

  @Test
  void rangeScansVisitOnlyTheShardsTheyCoverAndAgreeWithScatterGather() throws Exception {
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      keys.add("user" + i);
    }
    Engine hashed = local(8);
    Engine ranged = local(8);
    try (ShardedKvClient h = new ShardedKvClient(hashed, new JumpHashPartitioner(8), RetryPolicy.DEFAULT);
         ShardedKvClient r = new ShardedKvClient(ranged, new dev.raftbench.store.shard.RangePartitioner(8, keys), RetryPolicy.DEFAULT)) {
      for (String k : keys) {
        h.put(k, Record.empty()).get();
        r.put(k, Record.empty()).get();
      }
      for (String start : List.of("user0", "user1500", "user999", "user5")) {
        for (int limit : new int[] {1, 10, 300, 5000}) {
          assertThat(r.scan(start, limit, List.of()).get()).as(start + "/" + limit).isEqualTo(h.scan(start, limit, List.of()).get());
        }
      }
      assertThat(h.scans()).isEqualTo(16);
      assertThat(h.scanShardVisits()).isEqualTo(16 * 8);
      assertThat(r.scanShardVisits()).isLessThan(h.scanShardVisits());
      long before = r.scanShardVisits();
      r.scan("user1500", 5, List.of()).get();
      assertThat(r.scanShardVisits() - before).isEqualTo(1);
    }
  }
}
