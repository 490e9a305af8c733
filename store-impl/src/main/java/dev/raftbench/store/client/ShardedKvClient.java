package dev.raftbench.store.client;

import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.StaleEpochException;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.OrderedPartitioner;
import dev.raftbench.store.shard.Partitioner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The store's client: routes each key to its shard with a {@link Partitioner}, retries commands
 * that failed for cluster reasons (leader change, no leader yet) with backoff until the policy's
 * deadline, and answers scans by asking every shard and merging the sorted results.
 *
 * <p>It keeps a shard map of its own: each shard's epoch, which every command carries. A replica at
 * a later epoch (the shard's membership changed since) refuses the command; the client then
 * refreshes that shard's epoch from the engine and sends the command again.
 *
 * <p>Thread-safe; every method is asynchronous. Closing stops the retry timer, not the engine.
 */
public final class ShardedKvClient implements AutoCloseable {
  private final Engine engine;
  private final Partitioner partitioner;
  private final RetryPolicy retry;
  private final ScheduledExecutorService timer;
  private final LongAdder retries = new LongAdder();
  private final LongAdder staleEpochs = new LongAdder();
  /** The client's shard map: each shard's epoch as last learnt from the engine; commands carry it. */
  private final AtomicLongArray epochs;
  private final LongAdder scans = new LongAdder();
  private final LongAdder scanShardVisits = new LongAdder();

  /** Requests whose next try is scheduled on the timer: failed on close, never left hanging. */
  private final java.util.Set<CompletableFuture<Reply>> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public ShardedKvClient(Engine engine, Partitioner partitioner, RetryPolicy retry) {
    if (partitioner.shards() != engine.shards()) {
      throw new IllegalArgumentException("partitioner has " + partitioner.shards() + " shards, engine has " + engine.shards());
    }
    this.engine = engine;
    this.partitioner = partitioner;
    this.retry = retry;
    this.epochs = new AtomicLongArray(engine.shards());
    for (int s = 0; s < engine.shards(); s++) {
      epochs.set(s, engine.epoch(s));
    }
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raftbench-client-retry");
      t.setDaemon(true);
      return t;
    });
  }

  public int shardOf(String key) {
    return partitioner.shardOf(key);
  }

  /** How many times a command was sent again after a retriable failure. */
  public long retries() {
    return retries.sum();
  }

  /** How many of those retries followed a replica's refusal of a stale shard epoch (the map refreshed first). */
  public long staleEpochRetries() {
    return staleEpochs.sum();
  }

  /** The shard's epoch in this client's map. */
  public long epoch(int shard) {
    return epochs.get(shard);
  }

  /** Scans answered so far (each counted once, however many shards it asked). */
  public long scans() {
    return scans.sum();
  }

  /** Shard requests made for those scans: all shards each with hashing, only those covered with ranges. */
  public long scanShardVisits() {
    return scanShardVisits.sum();
  }

  public CompletableFuture<Reply> put(String key, Record record) {
    return execute(new Command.Put(key, record));
  }

  public CompletableFuture<Reply> update(String key, Record fields) {
    return execute(new Command.Update(key, fields));
  }

  public CompletableFuture<Reply> delete(String key) {
    return execute(new Command.Delete(key));
  }

  public CompletableFuture<Reply> get(String key, List<String> fields) {
    return execute(new Command.Get(key, fields));
  }

  public CompletableFuture<Reply> scan(String startKey, int limit, List<String> fields) {
    return execute(new Command.Scan(startKey, limit, fields));
  }

  public CompletableFuture<Reply> execute(Command command) {
    if (command instanceof Command.Scan scan) {
      int[] visits = {0};
      CompletableFuture<Reply> f;
      if (partitioner instanceof OrderedPartitioner ordered) {
        f = rangeScan(ordered, scan, partitioner.shardOf(scan.key()), scan.key(), new ArrayList<>(), visits);
      } else if (engine.shards() > 1) {
        visits[0] = engine.shards();
        f = scatterGather(scan);
      } else {
        visits[0] = 1;
        f = send(0, scan);
      }
      // counted together when the scan ends, so a reading between two scans sees matching totals
      return f.whenComplete((r, e) -> {
        scans.increment();
        scanShardVisits.add(visits[0]);
      });
    }
    return send(partitioner.shardOf(command.key()), command);
  }

  /** Ordered shards: from the start key's shard onwards, only as far as the limit needs. */
  private CompletableFuture<Reply> rangeScan(OrderedPartitioner p, Command.Scan scan, int shard, String from, List<Reply.Row> acc,
      int[] visits) {
    visits[0]++;
    return send(shard, new Command.Scan(from, scan.limit() - acc.size(), scan.fields())).thenCompose(reply -> {
      acc.addAll(((Reply.Rows) reply).rows());
      if (acc.size() >= scan.limit() || shard + 1 >= p.shards()) {
        return CompletableFuture.completedFuture(new Reply.Rows(acc));
      }
      return rangeScan(p, scan, shard + 1, p.lowerBound(shard + 1), acc, visits);
    });
  }

  private CompletableFuture<Reply> scatterGather(Command.Scan scan) {
    int shards = engine.shards();
    List<CompletableFuture<Reply>> parts = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      parts.add(send(s, scan));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture<?>[]::new)).thenApply(ignored -> {
      List<Reply.Row> all = new ArrayList<>();
      for (CompletableFuture<Reply> part : parts) {
        all.addAll(((Reply.Rows) part.join()).rows());
      }
      all.sort(Comparator.comparing(Reply.Row::key));
      return new Reply.Rows(all.size() > scan.limit() ? all.subList(0, scan.limit()) : all);
    });
  }

  private CompletableFuture<Reply> send(int shard, Command command) {
    CompletableFuture<Reply> first = call(shard, command);
    if (first.isDone() && !first.isCompletedExceptionally()) {
      return first; // answered at once (noop, local): no retry machinery needed, not even its clock
    }
    // the retry budget runs from the first call's return (engines' calls return at once: their answers come later)
    long start = System.nanoTime();
    CompletableFuture<Reply> result = new CompletableFuture<>();
    handle(first, shard, command, 0, start, result);
    return result;
  }

  private void attempt(int shard, Command command, int attempt, long startNanos, CompletableFuture<Reply> result) {
    handle(call(shard, command), shard, command, attempt, startNanos, result);
  }

  /** One try, routed with the shard's epoch as this client's map has it. */
  private CompletableFuture<Reply> call(int shard, Command command) {
    long epoch = epochs.get(shard);
    try {
      return command instanceof Command.Write w ? engine.write(shard, epoch, w) : engine.read(shard, epoch, (Command.Read) command);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Completes the result with the answer, or schedules the next attempt of a retriable failure. */
  private void handle(CompletableFuture<Reply> f, int shard, Command command, int attempt, long startNanos, CompletableFuture<Reply> result) {
    f.whenComplete((reply, error) -> {
      if (error == null) {
        result.complete(reply);
        return;
      }
      Throwable cause = unwrap(error);
      long elapsed = System.nanoTime() - startNanos;
      long backoff = retry.backoffNanos(attempt);
      if (cause instanceof StaleEpochException stale) {
        // the shard moved on: refresh the map and send again at once (no backoff when the map did change)
        staleEpochs.increment();
        long known = engine.epoch(shard);
        epochs.accumulateAndGet(shard, known, Math::max);
        if (known > stale.sent()) {
          backoff = 0;
        }
      }
      if (isRetriable(cause) && elapsed + backoff < retry.deadline().toNanos()) {
        retries.increment();
        waiting.add(result);
        try {
          timer.schedule(() -> {
            waiting.remove(result);
            attempt(shard, command, attempt + 1, startNanos, result);
          }, backoff, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) { // client closed
          waiting.remove(result);
          result.completeExceptionally(cause);
        }
      } else {
        result.completeExceptionally(cause);
      }
    });
  }

  static boolean isRetriable(Throwable t) {
    return (t instanceof EngineException e && e.retriable()) || t instanceof TimeoutException;
  }

  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Closes the retry timer; a request waiting for its next try fails now rather than never. */
  @Override
  public void close() {
    timer.shutdownNow();
    for (CompletableFuture<Reply> f : waiting) {
      f.completeExceptionally(new EngineException("the client was closed while the request waited to be retried", false));
    }
    waiting.clear();
  }
}
