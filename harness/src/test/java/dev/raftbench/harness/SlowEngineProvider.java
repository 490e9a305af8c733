package dev.raftbench.harness;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.ForwardingEngine;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.local.LocalEngineProvider;
import java.util.List;
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
    Executor late = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);
    return new ForwardingEngine(name(), new LocalEngineProvider().start(spec)) {
      @Override
      public CompletableFuture<Reply> write(int shard, Command.Write w) {
        return delegate.write(shard, w).thenApplyAsync(r -> r, late);
      }
    };
  }
}
