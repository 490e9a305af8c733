package dev.raftbench.store.local;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Answers at once and stores nothing: what the harness measures on it is its own overhead
 * (generation, routing, recording), the noise floor under every other engine's figures.
 * Writes answer Done, gets an empty record, scans no rows.
 */
public final class NoopEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "noop";
  }

  @Override
  public String description() {
    return "answers at once, stores nothing (measures the harness itself)";
  }

  @Override
  public List<String> transports() {
    return List.of("inproc");
  }

  @Override
  public boolean storesData() {
    return false;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public void validate(EngineSpec spec) {
    spec.requireNoOptions(name());
  }

  @Override
  public Engine start(EngineSpec spec) {
    spec.requireNoOptions(name());
    return new NoopEngine(spec.shards());
  }

  private static final class NoopEngine implements Engine {
    private static final CompletableFuture<Reply> DONE = CompletableFuture.completedFuture(Reply.DONE);
    private static final CompletableFuture<Reply> FOUND = CompletableFuture.completedFuture(new Reply.Found(Record.empty()));
    private static final CompletableFuture<Reply> NO_ROWS = CompletableFuture.completedFuture(new Reply.Rows(List.of()));

    private final int shards;
    private volatile boolean closed;

    NoopEngine(int shards) {
      this.shards = shards;
    }

    @Override
    public String name() {
      return "noop";
    }

    @Override
    public int shards() {
      return shards;
    }

    @Override
    public List<String> nodes() {
      return List.of("noop-0");
    }

    @Override
    public CompletableFuture<Reply> write(int shard, Command.Write write) {
      return closed ? closedFuture() : DONE;
    }

    @Override
    public CompletableFuture<Reply> read(int shard, Command.Read read) {
      if (closed) {
        return closedFuture();
      }
      return read instanceof Command.Scan ? NO_ROWS : FOUND;
    }

    private static CompletableFuture<Reply> closedFuture() {
      return CompletableFuture.failedFuture(new EngineException("noop engine is closed", false));
    }

    @Override
    public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
      return read(shard, read);
    }

    @Override
    public Optional<String> leader(int shard) {
      return Optional.of("noop-0");
    }

    @Override
    public List<String> members(int shard) {
      return List.of("noop-0");
    }

    @Override
    public void stopNode(String node) {
      throw new UnsupportedCapabilityException("noop", Capability.NODE_STOP_START);
    }

    @Override
    public void startNode(String node) {
      throw new UnsupportedCapabilityException("noop", Capability.NODE_STOP_START);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
