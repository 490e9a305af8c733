package dev.raftbench.atomix;

import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.KvStateMachine;
import io.atomix.primitive.service.AbstractPrimitiveService;
import io.atomix.primitive.service.BackupInput;
import io.atomix.primitive.service.BackupOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One replica of one shard: the shared {@link KvStateMachine} inside an Atomix primitive service.
 * Commands arrive through the partition's Raft log on the partition's thread; snapshots are the
 * state machine's own stream, written through Atomix's backup and read back by restore.
 *
 * <p>Each replica registers itself under (member, shard) in {@link #REPLICAS} once it knows its
 * shard, so the engine can read one replica's own state ({@code Engine.readAt}) as the other
 * engines do; member ids are unique per cluster, so clusters in one JVM do not meet there.
 */
public final class KvPrimitiveService extends AbstractPrimitiveService implements KvService {
  private static final int NO_SHARD = -1;

  /** member id → shard → that replica's state machine. */
  static final Map<String, Map<Integer, KvStateMachine>> REPLICAS = new ConcurrentHashMap<>();

  private final KvStateMachine state = new KvStateMachine();
  private int shard = NO_SHARD;

  public KvPrimitiveService() {
    super(KvPrimitiveType.INSTANCE);
  }

  @Override
  public void bind(int shard) {
    if (this.shard != shard) {
      this.shard = shard;
      register();
    }
  }

  @Override
  public byte[] write(byte[] command) {
    if (!(Codec.decodeCommand(command) instanceof Command.Write w)) {
      throw new IllegalArgumentException("a read sent as a command");
    }
    return Codec.encode(state.apply(w));
  }

  @Override
  public byte[] read(byte[] command) {
    if (!(Codec.decodeCommand(command) instanceof Command.Read r)) {
      throw new IllegalArgumentException("a write sent as a query would change one replica only");
    }
    return Codec.encode(state.read(r));
  }

  @Override
  public void backup(BackupOutput out) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      state.snapshot(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeInt(shard);
    out.writeInt(bytes.size());
    out.writeBytes(bytes.toByteArray());
  }

  @Override
  public void restore(BackupInput in) {
    int restoredShard = in.readInt();
    byte[] bytes = in.readBytes(in.readInt());
    try {
      state.restore(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bind(restoredShard);
  }

  private void register() {
    if (shard != NO_SHARD) {
      REPLICAS.computeIfAbsent(getLocalMemberId().id(), m -> new ConcurrentHashMap<>()).put(shard, state);
    }
  }
}
