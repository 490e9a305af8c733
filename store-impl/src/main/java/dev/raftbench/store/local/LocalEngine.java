package dev.raftbench.store.local;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.KvStateMachine;
import dev.raftbench.store.kv.Reply;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Every shard a {@link KvStateMachine} in this JVM. Commands and replies still pass through the
 * codec, so the only thing missing compared with a Raft engine is replication.
 */
final class LocalEngine implements Engine {
  static final String NODE = "local-0";

  private final KvStateMachine[] shards;
  private volatile boolean closed;

  LocalEngine(int shards) {
    this.shards = new KvStateMachine[shards];
    for (int i = 0; i < shards; i++) {
      this.shards[i] = new KvStateMachine();
    }
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public int shards() {
    return shards.length;
  }

  @Override
  public List<String> nodes() {
    return List.of(NODE);
  }

  @Override
  public CompletableFuture<Reply> write(int shard, Command.Write write) {
    return execute(shard, write, true);
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    return execute(shard, read, false);
  }

  private CompletableFuture<Reply> execute(int shard, Command c, boolean write) {
    if (closed) {
      return CompletableFuture.failedFuture(new EngineException("local engine is closed", false));
    }
    try {
      ByteBuffer encoded = ByteBuffer.wrap(Codec.encode(c));
      KvStateMachine sm = shards[shard];
      byte[] reply;
      if (write) {
        synchronized (sm) { // writes apply one at a time, as a log would order them
          reply = sm.execute(encoded);
        }
      } else {
        reply = sm.execute(encoded);
      }
      return CompletableFuture.completedFuture(Codec.decodeReply(reply));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
    if (!NODE.equals(node)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no node " + node));
    }
    return read(shard, read);
  }

  @Override
  public Optional<String> leader(int shard) {
    return Optional.of(NODE);
  }

  @Override
  public List<String> members(int shard) {
    return List.of(NODE);
  }

  @Override
  public void stopNode(String node) {
    throw new UnsupportedCapabilityException("local", Capability.NODE_STOP_START);
  }

  @Override
  public void startNode(String node) {
    throw new UnsupportedCapabilityException("local", Capability.NODE_STOP_START);
  }

  @Override
  public void close() {
    closed = true;
  }
}
