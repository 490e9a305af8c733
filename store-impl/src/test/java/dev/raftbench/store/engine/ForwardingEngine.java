package dev.raftbench.store.engine;

import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Test support (in the test-jar): an engine that hands every call to another. A test engine
 * with a deliberate fault overrides the one call it breaks.
 */
public class ForwardingEngine implements Engine {
  protected final Engine delegate;
  private final String name;

  public ForwardingEngine(String name, Engine delegate) {
    this.name = name;
    this.delegate = delegate;
  }

  @Override public String name() { return name; }
  @Override public int shards() { return delegate.shards(); }
  @Override public List<String> nodes() { return delegate.nodes(); }
  @Override public CompletableFuture<Reply> write(int shard, Command.Write w) { return delegate.write(shard, w); }
  @Override public CompletableFuture<Reply> read(int shard, Command.Read r) { return delegate.read(shard, r); }
  @Override public CompletableFuture<Reply> readAt(String node, int shard, Command.Read r) { return delegate.readAt(node, shard, r); }
  @Override public Optional<String> leader(int shard) { return delegate.leader(shard); }
  @Override public List<String> members(int shard) { return delegate.members(shard); }
  @Override public void stopNode(String node) { delegate.stopNode(node); }
  @Override public void startNode(String node) { delegate.startNode(node); }
  @Override public void close() { delegate.close(); }
}
