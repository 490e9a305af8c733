package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.ForwardingEngine;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test only: the local engine, except that every 50th write is acknowledged and never applied. The
 * verify phase must catch it.
 */
public final class LossyEngineProvider extends BrokenLocalProvider {
  public LossyEngineProvider() {
    super("lossy-test", "dropping every 50th acknowledged write");
  }

  @Override
  Engine wrap(Engine local, EngineSpec spec) throws Exception {
    AtomicLong writes = new AtomicLong();
    return new ForwardingEngine(name(), local) {
      @Override
      public CompletableFuture<Reply> write(int shard, Command.Write w) {
        return writes.incrementAndGet() % 50 == 0 ? CompletableFuture.completedFuture(Reply.DONE) : delegate.write(shard, w);
      }
    };
  }
}
