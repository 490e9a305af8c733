package dev.raftbench.store.kv;

import java.util.List;
import java.util.Objects;

/**
 * What a client asks of one shard. Writes go through the Raft log; reads are served at the
 * consistency the engine was started with. An empty field list means all fields.
 */
public sealed interface Command permits Command.Write, Command.Read {

  /** The key routed on (for a scan: its start key). */
  String key();

  sealed interface Write extends Command permits Put, Update, Delete {}

  sealed interface Read extends Command permits Get, Scan {}

  /** Insert or replace the whole record. */
  record Put(String key, Record record) implements Write {
    public Put {
      Keys.check(key);
      Objects.requireNonNull(record, "record");
    }
  }

  /** Add or replace some fields of an existing record; {@link Reply.Missing} if there is none. */
  record Update(String key, Record fields) implements Write {
    public Update {
      Keys.check(key);
      Objects.requireNonNull(fields, "fields");
    }
  }

  /** Remove the record; {@link Reply.Missing} if there was none. */
  record Delete(String key) implements Write {
    public Delete {
      Keys.check(key);
    }
  }

  /** Read some or all fields of a record. */
  record Get(String key, List<String> fields) implements Read {
    public Get {
      Keys.check(key);
      fields = List.copyOf(fields);
    }

    public Get(String key) {
      this(key, List.of());
    }
  }

  /** Up to {@code limit} records with keys at or after {@code key}, in key order. */
  record Scan(String key, int limit, List<String> fields) implements Read {
    public Scan {
      Keys.check(key);
      if (limit <= 0) {
        throw new IllegalArgumentException("scan limit must be positive, was " + limit);
      }
      fields = List.copyOf(fields);
    }
  }
}
