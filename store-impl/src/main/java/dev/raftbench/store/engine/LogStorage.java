package dev.raftbench.store.engine;

/** Where a replica keeps its Raft log. */
public enum LogStorage {
  MEMORY, DISK;

  public static LogStorage parse(String s) {
    for (LogStorage l : values()) {
      if (l.name().equalsIgnoreCase(s)) {
        return l;
      }
    }
    throw new IllegalArgumentException("unknown log storage '" + s + "' (known: memory, disk)");
  }
}
