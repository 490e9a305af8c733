package dev.raftbench.store.engine;

import java.time.Duration;
import java.util.List;

/** Waiting for a cluster's leaders, as every Raft engine does once its groups are started. */
public final class LeaderWait {
  private LeaderWait() {}

  /** Until every shard has a leader; past the deadline, a non-retriable EngineException naming the shard. */
  public static void anyLeader(Engine engine, long deadlineNanos, Duration patience) throws InterruptedException {
    for (int s = 0; s < engine.shards(); s++) {
      while (engine.leader(s).isEmpty()) {
        if (System.nanoTime() > deadlineNanos) {
          throw new EngineException("no leader elected for shard " + s + " within " + patience.toSeconds() + " s", false);
        }
        Thread.sleep(20);
      }
    }
  }

  /** Until each shard is led by its preferred node (index = shard), or the time is up: a best effort, never an error. */
  public static void preferredLeaders(Engine engine, List<String> preferred, long untilNanos) throws InterruptedException {
    for (int s = 0; s < engine.shards(); s++) {
      String p = preferred.get(s);
      while (!engine.leader(s).map(p::equals).orElse(false) && System.nanoTime() < untilNanos) {
        Thread.sleep(20);
      }
    }
  }
}
