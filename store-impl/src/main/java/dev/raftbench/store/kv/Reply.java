package dev.raftbench.store.kv;

import java.util.List;
import java.util.Objects;

/** A shard's answer to a {@link Command}. */
public sealed interface Reply permits Reply.Done, Reply.Missing, Reply.Found, Reply.Rows {

  /** The write was applied. */
  record Done() implements Reply {}

  /** There is no record under the key (get, update, delete). */
  record Missing() implements Reply {}

  /** The record read (only the requested fields). */
  record Found(Record record) implements Reply {
    public Found {
      Objects.requireNonNull(record, "record");
    }
  }

  /** The rows of a scan, in key order. */
  record Rows(List<Row> rows) implements Reply {
    public Rows {
      rows = List.copyOf(rows);
    }
  }

  /** One row of a scan. */
  record Row(String key, Record record) {
    public Row {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(record, "record");
    }
  }

  Done DONE = new Done();
  Missing MISSING = new Missing();
}
