package dev.raftbench.store.engine;

/**
 * A failure of the cluster rather than of the command. {@code retriable} says whether the same
 * command may succeed if sent again (no leader yet, leader changed, timeout).
 */
public class EngineException extends RuntimeException {
  private final boolean retriable;

  public EngineException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  public EngineException(String message, boolean retriable) {
    this(message, retriable, null);
  }

  public boolean retriable() {
    return retriable;
  }
}
