package dev.raftbench.harness;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.local.LocalEngineProvider;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Test only: the local engine with a deliberate regression, every write answered 2 ms late. The gate must catch it. */
public final class SlowEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "slow-test";
  }

  @Override
  public String description() {
    return "test only: local, every write 2 ms late (a deliberate regression)";
  }

  @Override
  public List<String> transports() {
    return List.of("inproc");
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public Engine start(EngineSpec spec) throws Exception {
    Engine local = new LocalEngineProvider().start(spec);
    Executor late = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);
    return new Engine() {
      @Override public String name() { return "slow-test"; }
      @Override public int shards() { return local.shards(); }
      @Override public List<String> nodes() { return local.nodes(); }
      @Override public CompletableFuture<Reply> write(int shard, Command.Write w) {
        return local.write(shard, w).thenApplyAsync(r -> r, late);
      }
      @Override public CompletableFuture<Reply> read(int shard, Command.Read r) { return local.read(shard, r); }
      @Override public CompletableFuture<Reply> readAt(String n, int shard, Command.Read r) { return local.readAt(n, shard, r); }
      @Override public Optional<String> leader(int shard) { return local.leader(shard); }
      @Override public List<String> members(int shard) { return local.members(shard); }
      @Override public void stopNode(String n) { local.stopNode(n); }
      @Override public void startNode(String n) { local.startNode(n); }
      @Override public void close() { local.close(); }
    };
  }
}
