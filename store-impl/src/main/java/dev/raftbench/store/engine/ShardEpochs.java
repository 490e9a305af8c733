package dev.raftbench.store.engine;

import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Reply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * An engine's authoritative shard epochs (see {@link Engine#epoch}): each starts at 0 and goes up
 * by one when the shard's membership changes, and the new value is committed to the shard's log
 * as an epoch entry, after which every replica refuses commands routed with an older one.
 */
public final class ShardEpochs {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final AtomicLongArray epochs;

  public ShardEpochs(int shards) {
    epochs = new AtomicLongArray(shards);
  }

  public long get(int shard) {
    return epochs.get(shard);
  }

  /**
   * Raises the shard's epoch and commits it through {@code send} (the engine's own write path for
   * an encoded log entry), tried again on retriable failures for up to a minute. The map is raised
   * first: a command routed with the new epoch before the entry commits is still accepted. If the
   * entry cannot be committed, that is logged, not thrown: the membership change it follows has
   * happened, and until a later entry commits, the shard's replicas only refuse stale commands less.
   */
  public void advance(int shard, Function<byte[], CompletableFuture<Reply>> send) {
    try {
      commit(shard, send);
    } catch (EngineException e) {
      System.getLogger(ShardEpochs.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
    }
  }

  private void commit(int shard, Function<byte[], CompletableFuture<Reply>> send) {
    long next = epochs.incrementAndGet(shard);
    byte[] entry = Codec.encodeEpoch(next);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      Throwable failure;
      try {
        send.apply(entry).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException("interrupted committing epoch " + next + " of shard " + shard, false, e);
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (TimeoutException | RuntimeException e) {
        failure = e;
      }
      boolean retriable = failure instanceof TimeoutException || failure instanceof EngineException ee && ee.retriable();
      if (!retriable || System.nanoTime() > deadline) {
        throw new EngineException("shard " + shard + ": committing epoch " + next + " failed: " + failure, false, failure);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException("interrupted committing epoch " + next + " of shard " + shard, false, e);
      }
    }
  }
}
