package dev.raftbench.store.engine;

/**
 * A replica refused a command routed with an older shard-map epoch than its own: the shard's
 * membership changed since the client last looked. The client refreshes its map and sends again.
 */
public final class StaleEpochException extends EngineException {
  private final long sent;
  private final long current;

  public StaleEpochException(long sent, long current) {
    super("stale shard epoch: the command was routed with epoch " + sent + ", the replica is at " + current, true);
    this.sent = sent;
    this.current = current;
  }

  /** The epoch the command carried. */
  public long sent() {
    return sent;
  }

  /** The replica's epoch when it refused the command. */
  public long current() {
    return current;
  }
}
