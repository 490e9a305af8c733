package dev.raftbench.harness;

import dev.raftbench.store.kv.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every write of a trial, per key and field, kept small enough to check afterwards that nothing
 * acknowledged was lost. A write is its value's 64-bit hash and its start and end times.
 *
 * <p>After the run, a field's value must be one some write could have left: a write that was
 * acknowledged and not overtaken (no acknowledged write of the field started after it ended), or
 * one that failed or timed out (it may still have been applied). A field holding anything else,
 * or missing while an acknowledged write of it stands, is a lost write. Writes overtaken that way
 * are dropped as they come, so the ledger holds about one entry per field. Keys that were ever
 * deleted are not checked (a delete races with the writes around it; the workloads that delete
 * are few). A ledger costs about 1.5 KB a key of 10 fields: above {@link #MAX_KEYS} keys it keeps
 * one key in {@code stride} (by key hash) and ignores writes to the others at once.
 */
final class WriteLedger {
  /** One write of one field: its value's hash; end = Long.MAX_VALUE for a write not acknowledged. */
  private record Write(long valueHash, long start, long end) {
    boolean acknowledged() {
      return end != Long.MAX_VALUE;
    }
  }

  private static final class Field {
    final List<Write> writes = new ArrayList<>(2);
  }

  /** Keys kept at most (about 75 MB): beyond, a sample. */
  static final long MAX_KEYS = 50_000;

  private final int stride;
  private final Map<String, Map<String, Field>> keys = new ConcurrentHashMap<>();
  private final Map<String, Boolean> deleted = new ConcurrentHashMap<>();
  private final LongAdder acknowledged = new LongAdder();

  /** @param stride keep one key in this many (1 = every key) */
  WriteLedger(int stride) {
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be positive, was " + stride);
    }
    this.stride = stride;
  }

  /** One key in every ceil(expected / MAX_KEYS). */
  static int strideFor(long expectedKeys) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (expectedKeys + MAX_KEYS - 1) / MAX_KEYS));
  }

  int stride() {
    return stride;
  }

  /** Whether writes to the key are kept (all, or the key's hash falls in the sample). */
  boolean tracks(String key) {
    return stride == 1 || Long.remainderUnsigned(dev.raftbench.store.shard.KeyHash.hash64(key), stride) == 0;
  }

  /** A write of these fields of the key, started at {@code start}, ended at {@code end} (acknowledged) or failed. */
  void write(String key, Record values, long start, long end, boolean acknowledged) {
    if (acknowledged) {
      this.acknowledged.increment();
    }
    Map<String, Field> fields = keys.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    for (int i = 0; i < values.size(); i++) {
      Field f = fields.computeIfAbsent(values.name(i), n -> new Field());
      Write w = new Write(hash(values.value(i)), start, acknowledged ? end : Long.MAX_VALUE);
      synchronized (f) {
        if (acknowledged) {
          // an acknowledged write that ended before this one started can no longer be the last
          f.writes.removeIf(old -> old.acknowledged() && old.end() < start);
        }
        f.writes.add(w);
      }
    }
  }

  void delete(String key) {
    deleted.put(key, Boolean.TRUE);
  }

  long acknowledgedWrites() {
    return acknowledged.sum();
  }

  /** Keys to read back (those ever deleted left out). */
  List<String> keysToCheck() {
    List<String> out = new ArrayList<>();
    for (String k : keys.keySet()) {
      if (!deleted.containsKey(k)) {
        out.add(k);
      }
    }
    return out;
  }

  int deletedKeys() {
    return deleted.size();
  }

  /**
   * Whether what a read returned ({@code null} = no record) is a state the writes could have
   * left. Returns the name of the first field that is not, or null when all are.
   */
  String check(String key, Record got) {
    Map<String, Field> fields = keys.get(key);
    if (fields == null) {
      return null;
    }
    for (Map.Entry<String, Field> e : fields.entrySet()) {
      byte[] value = got == null ? null : got.get(e.getKey());
      Field f = e.getValue();
      List<Write> writes;
      synchronized (f) {
        writes = List.copyOf(f.writes);
      }
      boolean anyAcknowledged = writes.stream().anyMatch(Write::acknowledged);
      if (!anyAcknowledged) {
        continue; // nothing was promised
      }
      if (value == null) {
        return e.getKey();
      }
      long h = hash(value);
      long latestStart = writes.stream().filter(Write::acknowledged).mapToLong(Write::start).max().orElse(Long.MIN_VALUE);
      boolean admissible = writes.stream().anyMatch(w -> w.valueHash() == h && (!w.acknowledged() || w.end() >= latestStart));
      if (!admissible) {
        return e.getKey();
      }
    }
    return null;
  }

  /** FNV-1a over the bytes, then fmix64: 64 bits, so two different values colliding is beyond concern. */
  static long hash(byte[] v) {
    long h = 0xcbf29ce484222325L;
    for (byte b : v) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    return dev.raftbench.store.shard.KeyHash.fmix64(h ^ v.length);
  }
}
