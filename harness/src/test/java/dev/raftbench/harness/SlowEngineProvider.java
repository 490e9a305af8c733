package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.ForwardingEngine;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Test only: the local engine with a deliberate regression, every write answered 2 ms late. The gate must catch it. */
public final class SlowEngineProvider extends BrokenLocalProvider {
  public SlowEngineProvider() {
    super("slow-test", "every write 2 ms late (a deliberate regression)");
  }

  @Override
  Engine wrap(Engine local, EngineSpec spec) throws Exception {
    Executor late = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);
    return new ForwardingEngine(name(), local) {
      @Override
      public CompletableFuture<Reply> write(int shard, Command.Write w) {
        return delegate.write(shard, w).thenApplyAsync(r -> r, late);
      }
    };
  }
}
