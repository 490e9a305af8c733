package dev.raftbench.store.client;

import java.time.Duration;

/**
 * How long the client keeps retrying a command whose failure was retriable (no leader, leader
 * changed, timeout): exponential backoff from {@code initialBackoff} up to {@code maxBackoff},
 * until {@code deadline} after the first attempt.
 */
public record RetryPolicy(Duration deadline, Duration initialBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofSeconds(1));

  public RetryPolicy {
    if (deadline.isNegative() || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("invalid retry policy " + deadline + "/" + initialBackoff + "/" + maxBackoff);
    }
  }

  /** The same backoff, retrying until {@code d} after the first attempt. */
  public RetryPolicy withDeadline(Duration d) {
    return new RetryPolicy(d, initialBackoff, maxBackoff);
  }

  long backoffNanos(int attempt) {
    long b = initialBackoff.toNanos() << Math.min(attempt, 20);
    return Math.min(Math.max(b, 0), maxBackoff.toNanos());
  }
}
