package dev.raftbench.store.engine;

/** How fresh a read must be. */
public enum ReadConsistency {
  /** ReadIndex (or an equivalent): never stale. */
  LINEARIZABLE,
  /** The leader answers under a lease: linearizable unless clocks misbehave. */
  LEASE,
  /** Any replica answers from its own state. */
  STALE;

  public static ReadConsistency parse(String s) {
    for (ReadConsistency c : values()) {
      if (c.name().equalsIgnoreCase(s)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown read consistency '" + s + "' (known: linearizable, lease, stale)");
  }
}
