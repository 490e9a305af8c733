package dev.raftbench.workloads;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Key numbers for inserts during a run, as YCSB's AcknowledgedCounterGenerator: {@link #next()}
 * hands out new numbers; {@link #lastAcknowledged()} is the highest number below which every
 * insert was acknowledged, so reads never target a key that may not exist yet.
 */
public final class AcknowledgedCounter {
  private final AtomicLong next;
  private volatile long limit;
  private final BitSet pending = new BitSet();
  private long pendingBase;

  public AcknowledgedCounter(long start) {
    this.next = new AtomicLong(start);
    this.limit = start - 1;
    this.pendingBase = start;
  }

  public long next() {
    return next.getAndIncrement();
  }

  public long lastAcknowledged() {
    return limit;
  }

  public synchronized void acknowledge(long value) {
    if (value < pendingBase) {
      return;
    }
    pending.set(Math.toIntExact(value - pendingBase));
    int run = pending.nextClearBit(0);
    if (run > 0) {
      limit = pendingBase + run - 1;
      // shift the window
      BitSet rest = pending.get(run, Math.max(run, pending.length()));
      pending.clear();
      pending.or(rest);
      pendingBase += run;
    }
  }
}
