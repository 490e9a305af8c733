package dev.raftbench.atomix;

import io.atomix.primitive.operation.Command;
import io.atomix.primitive.operation.Query;

/**
 * The operations of the KV primitive. Arguments and results are our own {@link dev.raftbench.store.kv.Codec}
 * bytes, so Atomix's Kryo only ever sees a byte array: the state machine and its encoding are the
 * same as on every other engine.
 */
public interface KvService {

  /** Names the shard this partition's service serves; a command, so every replica (and its snapshots) knows it. */
  @Command
  void bind(int shard);

  /** An encoded write, through the partition's Raft log; returns the encoded reply. */
  @Command
  byte[] write(byte[] command);

  /** An encoded read, served at the session's read consistency; returns the encoded reply. */
  @Query
  byte[] read(byte[] command);
}
