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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test only: the local engine, except that every 50th write is acknowledged and never applied. The
 * verify phase must catch it.
 */
public final class LossyEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "lossy-test";
  }

  @Override
  public String description() {
    return "test only: local, dropping every 50th acknowledged write";
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
    AtomicLong writes = new AtomicLong();
    return new ForwardingEngine(name(), local) {
      @Override
      public CompletableFuture<Reply> write(int shard, Command.Write w) {
        return writes.incrementAndGet() % 50 == 0 ? CompletableFuture.completedFuture(Reply.DONE) : delegate.write(shard, w);
      }
    };
  }
}
