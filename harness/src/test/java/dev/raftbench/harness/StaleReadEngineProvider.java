package dev.raftbench.harness;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.ForwardingEngine;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.local.LocalEngineProvider;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Test only: a lagging replica answering reads. Writes apply to the local engine at once and are
 * acknowledged; reads are served by a second local engine that applies each write only after 20
 * more have come, like a follower serving reads in a broken read mode. Every write is kept, but
 * reads are stale: the linearizability check must say so. (The verify phase reads through the
 * lagging copy as well, so it would report the last writes lost: tests run it with --no-verify.)
 */
public final class StaleReadEngineProvider extends BrokenLocalProvider {
  public StaleReadEngineProvider() {
    super("stale-test", "reads served by a copy 20 writes behind");
  }

  @Override
  Engine wrap(Engine local, EngineSpec spec) throws Exception {
    Engine lagging = new LocalEngineProvider().start(spec);
    ArrayDeque<Object[]> behind = new ArrayDeque<>();
    return new ForwardingEngine(name(), local) {
      @Override
      public CompletableFuture<Reply> write(int shard, Command.Write w) {
        synchronized (behind) {
          behind.addLast(new Object[] {shard, w});
          while (behind.size() > 20) {
            Object[] old = behind.removeFirst();
            lagging.write((Integer) old[0], (Command.Write) old[1]).join();
          }
        }
        return delegate.write(shard, w);
      }

      @Override
      public CompletableFuture<Reply> read(int shard, Command.Read r) {
        synchronized (behind) {
          return lagging.read(shard, r);
        }
      }

      @Override
      public void close() {
        lagging.close();
        super.close();
      }
    };
  }
}
