package dev.raftbench.store.kv;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The key-value state machine of one shard, knowing nothing of the library that replicates it.
 *
 * <p>Writes must be applied by one thread at a time, in log order (as every Raft library does);
 * reads may run concurrently with them and see each record either before or after a write.
 */
public final class KvStateMachine {
  private static final int SNAPSHOT_MAGIC = 0x52424b56; // "RBKV"
  private static final int SNAPSHOT_VERSION = 2; // 2: the shard epoch after the header; 1 had none (epoch 0)

  // replaced whole by restore(), so a concurrent reader sees the old state or the new, never an empty one
  private volatile ConcurrentSkipListMap<String, Record> data = new ConcurrentSkipListMap<>();
  /**
   * The shard-map epoch, raised by an epoch entry in the log after each membership change of the
   * shard: the same on every replica at the same log index, and kept in snapshots.
   */
  private volatile long epoch;

  public Reply apply(Command.Write write) {
    if (write instanceof Command.Put p) {
      data.put(p.key(), p.record());
      return Reply.DONE;
    }
    if (write instanceof Command.Update u) {
      Record old = data.get(u.key());
      if (old == null) {
        return Reply.MISSING;
      }
      data.put(u.key(), old.merge(u.fields()));
      return Reply.DONE;
    }
    Command.Delete d = (Command.Delete) write;
    return data.remove(d.key()) == null ? Reply.MISSING : Reply.DONE;
  }

  public Reply read(Command.Read read) {
    if (read instanceof Command.Get g) {
      Record r = data.get(g.key());
      return r == null ? Reply.MISSING : new Reply.Found(r.select(g.fields()));
    }
    Command.Scan s = (Command.Scan) read;
    List<Reply.Row> rows = new ArrayList<>(Math.min(s.limit(), 1024));
    for (Map.Entry<String, Record> e : data.tailMap(s.key(), true).entrySet()) {
      if (rows.size() >= s.limit()) {
        break;
      }
      rows.add(new Reply.Row(e.getKey(), e.getValue().select(s.fields())));
    }
    return new Reply.Rows(rows);
  }

  /**
   * Decode, execute and encode: what a replicated engine does with a log entry. An epoch entry
   * raises the epoch; a command routed with an older epoch than the shard's is refused (nothing
   * changes, every replica refuses it alike) with a reply the client decodes as {@link
   * dev.raftbench.store.engine.StaleEpochException}.
   */
  public byte[] execute(ByteBuffer encodedCommand) {
    Codec.Entry e = Codec.decodeEntry(encodedCommand);
    if (e.command() == null) {
      epoch = Math.max(epoch, e.epoch());
      return Codec.encode(Reply.DONE);
    }
    if (stale(e)) {
      return Codec.encodeStale(epoch, e.epoch());
    }
    Command c = e.command();
    Reply r = c instanceof Command.Write w ? apply(w) : read((Command.Read) c);
    return Codec.encode(r);
  }

  /** A read sent outside the log (a query after ReadIndex, a lease read): the epoch checked, then served. */
  public byte[] query(ByteBuffer encodedRead) {
    Codec.Entry e = Codec.decodeEntry(encodedRead);
    if (!(e.command() instanceof Command.Read read)) {
      throw new IllegalArgumentException("a write cannot be sent as a read: "
          + (e.command() == null ? "epoch entry" : e.command().getClass().getSimpleName()));
    }
    return stale(e) ? Codec.encodeStale(epoch, e.epoch()) : Codec.encode(read(read));
  }

  private boolean stale(Codec.Entry e) {
    return e.epoch() != Codec.Entry.UNROUTED && e.epoch() < epoch;
  }

  /** The shard's epoch as this replica last applied it. */
  public long epoch() {
    return epoch;
  }

  public int size() {
    return data.size();
  }

  /** Writes every record, in key order. Call it from the applying thread (no write in between). */
  public void snapshot(OutputStream out) throws IOException {
    DataOutputStream dout = new DataOutputStream(out);
    dout.writeInt(SNAPSHOT_MAGIC);
    dout.writeInt(SNAPSHOT_VERSION);
    dout.writeLong(epoch);
    dout.writeLong(data.size());
    Codec.Out buf = new Codec.Out(4096);
    for (Map.Entry<String, Record> e : data.entrySet()) {
      buf.size = 0;
      buf.string(e.getKey());
      buf.record(e.getValue());
      dout.writeInt(buf.size);
      dout.write(buf.buf, 0, buf.size);
    }
    dout.writeInt(-1);
    dout.flush();
  }

  /** Replaces the whole state with the snapshot read from {@code in}. */
  public void restore(InputStream in) throws IOException {
    DataInputStream din = new DataInputStream(in);
    try {
      if (din.readInt() != SNAPSHOT_MAGIC) {
        throw new IOException("not a RaftBench key-value snapshot");
      }
      int version = din.readInt();
      if (version != 1 && version != SNAPSHOT_VERSION) {
        throw new IOException("unsupported snapshot version " + version);
      }
      long restoredEpoch = version == 1 ? 0 : din.readLong();
      long count = din.readLong();
      ConcurrentSkipListMap<String, Record> restored = new ConcurrentSkipListMap<>();
      byte[] chunk = new byte[4096];
      for (long i = 0; i < count; i++) {
        int len = din.readInt();
        if (len < 0 || len > Codec.MAX_COMMAND_BYTES) {
          throw new IOException("corrupt snapshot: entry length " + len);
        }
        if (len > chunk.length) {
          chunk = new byte[len];
        }
        din.readFully(chunk, 0, len);
        Codec.In entry = new Codec.In(ByteBuffer.wrap(chunk, 0, len));
        String key = entry.string();
        restored.put(key, entry.record());
      }
      if (din.readInt() != -1) {
        throw new IOException("corrupt snapshot: missing end marker");
      }
      data = restored;
      epoch = restoredEpoch;
    } catch (EOFException e) {
      throw new IOException("truncated snapshot", e);
    } catch (CodecException e) {
      throw new IOException("corrupt snapshot: " + e.getMessage(), e);
    }
  }

}
