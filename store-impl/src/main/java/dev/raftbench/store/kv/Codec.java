package dev.raftbench.store.kv;

import dev.raftbench.store.engine.StaleEpochException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The binary form of commands and replies, as they travel through a Raft log and over the wire.
 *
 * <pre>
 * message  = version:u8 tag:u8 body
 * string   = len:varint utf8-bytes
 * bytes    = len:varint raw-bytes
 * record   = count:varint (name:string value:bytes)*   names strictly ascending
 * fields   = count:varint name:string*
 * Put      = tag 1: key:string record
 * Update   = tag 2: key:string record
 * Delete   = tag 3: key:string
 * Get      = tag 4: key:string fields
 * Scan     = tag 5: key:string limit:varint fields
 * Routed   = tag 6: epoch:varint (tag of Put..Scan) body     a command routed with that shard epoch
 * Epoch    = tag 7: epoch:varint                              raise the shard's epoch (a log entry)
 * Done     = tag 1 | Missing = tag 2 | Found = tag 3: record | Rows = tag 4: count:varint (key:string record)*
 * Stale    = tag 5: current:varint sent:varint               refused: routed with an older epoch
 * </pre>
 * A decoder refuses any other version, so a format change bumps {@link #VERSION}.
 * No Java serialization anywhere.
 */
public final class Codec {
  public static final int VERSION = 1;
  /** Largest encoded command accepted (keeps one oversized value from clogging a Raft log). */
  public static final int MAX_COMMAND_BYTES = 4 << 20;

  private Codec() {}

  // ---------------------------------------------------------------- commands

  public static byte[] encode(Command c) {
    Out out = new Out(64);
    out.u8(VERSION);
    return body(out, c);
  }

  /**
   * The command as routed with the shard epoch {@code epoch}: a replica at a later epoch refuses
   * it. With {@link Entry#UNROUTED}, the command as {@link #encode(Command)} gives it.
   */
  public static byte[] encode(Command c, long epoch) {
    if (epoch == Entry.UNROUTED) {
      return encode(c);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
    }
    Out out = new Out(72);
    out.u8(VERSION);
    out.u8(6);
    out.varint(epoch);
    return body(out, c);
  }

  /** The log entry that raises a shard's epoch to {@code epoch} (never lowers it). */
  public static byte[] encodeEpoch(long epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
    }
    Out out = new Out(12);
    out.u8(VERSION);
    out.u8(7);
    out.varint(epoch);
    return out.toArray();
  }

  private static byte[] body(Out out, Command c) {
    if (c instanceof Command.Put p) {
      out.u8(1);
      out.string(p.key());
      out.record(p.record());
    } else if (c instanceof Command.Update u) {
      out.u8(2);
      out.string(u.key());
      out.record(u.fields());
    } else if (c instanceof Command.Delete d) {
      out.u8(3);
      out.string(d.key());
    } else if (c instanceof Command.Get g) {
      out.u8(4);
      out.string(g.key());
      out.strings(g.fields());
    } else if (c instanceof Command.Scan s) {
      out.u8(5);
      out.string(s.key());
      out.varint(s.limit());
      out.strings(s.fields());
    } else {
      throw new IllegalStateException("unknown command " + c);
    }
    if (out.size > MAX_COMMAND_BYTES) {
      throw new CodecException("command of " + out.size + " bytes exceeds the limit of " + MAX_COMMAND_BYTES + " bytes");
    }
    return out.toArray();
  }

  public static Command decodeCommand(byte[] bytes) {
    return decodeCommand(ByteBuffer.wrap(bytes));
  }

  /** The command, without the epoch it may have been routed with; an epoch entry is refused. */
  public static Command decodeCommand(ByteBuffer buf) {
    Entry e = decodeEntry(buf);
    if (e.command() == null) {
      throw new CodecException("an epoch entry is not a command");
    }
    return e.command();
  }

  /**
   * What a replica receives: a command and the epoch it was routed with ({@link Entry#UNROUTED}
   * for one sent without), or with a null command, the entry that raises the epoch to {@code epoch}.
   */
  public record Entry(long epoch, Command command) {
    public static final long UNROUTED = -1;
  }

  public static Entry decodeEntry(ByteBuffer buf) {
    In in = new In(buf);
    in.version();
    int tag = in.u8();
    long epoch = Entry.UNROUTED;
    if (tag == 7) {
      Entry bump = new Entry(in.varlong(), null);
      in.end();
      return bump;
    }
    if (tag == 6) {
      epoch = in.varlong();
      tag = in.u8();
    }
    Command c = switch (tag) {
      case 1 -> new Command.Put(in.string(), in.record());
      case 2 -> new Command.Update(in.string(), in.record());
      case 3 -> new Command.Delete(in.string());
      case 4 -> new Command.Get(in.string(), in.strings());
      case 5 -> new Command.Scan(in.string(), in.varint(), in.strings());
      default -> throw new CodecException("unknown command tag " + tag);
    };
    in.end();
    return new Entry(epoch, c);
  }

  // ---------------------------------------------------------------- replies

  public static byte[] encode(Reply r) {
    Out out = new Out(16);
    out.u8(VERSION);
    if (r instanceof Reply.Done) {
      out.u8(1);
    } else if (r instanceof Reply.Missing) {
      out.u8(2);
    } else if (r instanceof Reply.Found f) {
      out.u8(3);
      out.record(f.record());
    } else if (r instanceof Reply.Rows rows) {
      out.u8(4);
      out.varint(rows.rows().size());
      for (Reply.Row row : rows.rows()) {
        out.string(row.key());
        out.record(row.record());
      }
    } else {
      throw new IllegalStateException("unknown reply " + r);
    }
    return out.toArray();
  }

  /** A replica's refusal of a command routed with epoch {@code sent} while it is at {@code current}. */
  public static byte[] encodeStale(long current, long sent) {
    Out out = new Out(12);
    out.u8(VERSION);
    out.u8(5);
    out.varint(current);
    out.varint(sent);
    return out.toArray();
  }

  /** The reply; a replica's refusal of a stale epoch is thrown as {@link StaleEpochException}. */
  public static Reply decodeReply(byte[] bytes) {
    return decodeReply(ByteBuffer.wrap(bytes));
  }

  public static Reply decodeReply(ByteBuffer buf) {
    In in = new In(buf);
    in.version();
    int tag = in.u8();
    if (tag == 5) {
      long current = in.varlong();
      long sent = in.varlong();
      in.end();
      throw new StaleEpochException(sent, current);
    }
    Reply r = switch (tag) {
      case 1 -> Reply.DONE;
      case 2 -> Reply.MISSING;
      case 3 -> new Reply.Found(in.record());
      case 4 -> {
        int n = in.count();
        List<Reply.Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          rows.add(new Reply.Row(in.string(), in.record()));
        }
        yield new Reply.Rows(rows);
      }
      default -> throw new CodecException("unknown reply tag " + tag);
    };
    in.end();
    return r;
  }

  // ---------------------------------------------------------------- primitives, shared with snapshots

  /** A growable output buffer. */
  static final class Out {
    byte[] buf;
    int size;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    void ensure(int extra) {
      if (size + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
      }
    }

    void u8(int v) {
      ensure(1);
      buf[size++] = (byte) v;
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void bytes(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void strings(List<String> list) {
      varint(list.size());
      for (String s : list) {
        string(s);
      }
    }

    void record(Record r) {
      varint(r.size());
      for (int i = 0; i < r.size(); i++) {
        string(r.name(i));
        bytes(r.value(i));
      }
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  /** A bounds-checked reader: every malformed input ends in a {@link CodecException}. */
  static final class In {
    private final ByteBuffer buf;

    In(ByteBuffer buf) {
      this.buf = buf;
    }

    void version() {
      int v = u8();
      if (v != VERSION) {
        throw new CodecException("unsupported encoding version " + v + " (this build reads " + VERSION + ")");
      }
    }

    int u8() {
      need(1);
      return buf.get() & 0xFF;
    }

    long varlong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new CodecException("malformed varint");
    }

    int varint() {
      long v = varlong();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new CodecException("varint out of range: " + v);
      }
      return (int) v;
    }

    /** A count of following items, each at least one byte long. */
    int count() {
      int n = varint();
      if (n > buf.remaining()) {
        throw new CodecException("count " + n + " exceeds remaining " + buf.remaining() + " bytes");
      }
      return n;
    }

    byte[] bytes() {
      int n = varint();
      need(n);
      byte[] b = new byte[n];
      buf.get(b);
      return b;
    }

    String string() {
      int n = varint();
      need(n);
      String s;
      if (buf.hasArray()) {
        s = new String(buf.array(), buf.arrayOffset() + buf.position(), n, StandardCharsets.UTF_8);
        buf.position(buf.position() + n);
      } else {
        byte[] b = new byte[n];
        buf.get(b);
        s = new String(b, StandardCharsets.UTF_8);
      }
      return s;
    }

    List<String> strings() {
      int n = count();
      List<String> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(string());
      }
      return list;
    }

    Record record() {
      int n = count();
      String[] names = new String[n];
      byte[][] values = new byte[n][];
      for (int i = 0; i < n; i++) {
        names[i] = string();
        if (names[i].isEmpty()) {
          throw new CodecException("empty field name");
        }
        values[i] = bytes();
      }
      return Record.ofSorted(names, values);
    }

    void end() {
      if (buf.hasRemaining()) {
        throw new CodecException(buf.remaining() + " trailing bytes");
      }
    }

    private void need(int n) {
      if (n < 0 || buf.remaining() < n) {
        throw new CodecException("truncated: need " + n + " bytes, have " + buf.remaining());
      }
    }
  }
}
