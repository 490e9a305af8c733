package dev.raftbench.harness;

import dev.raftbench.workloads.OperationType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Latency of successful operations per operation type (nanoseconds, 1 ns .. 1 h at 3 significant
 * digits) and counts of successful, not-found and failed ones.
 *
 * <p>Every thread that records (a worker, or an engine's thread completing a future) writes into
 * recorders of its own: an HdrHistogram {@link SingleWriterRecorder} per operation type, and
 * counters only it writes. Nothing on the recording path is shared between threads, so recording
 * costs the same with one thread or sixteen (a {@code Recorder} shared by two threads cost 371 ns
 * per value here, its phaser counter bouncing between the cores). {@link #swap()} gathers every
 * thread's interval into one histogram per type, once per interval, off the hot path.
 *
 * <p>Public for the JMH benchmark of the recording path ({@code RecordingBenchmark}).
 */
public final class OpMetrics {
  static final long HIGHEST_NANOS = 3_600_000_000_000L;
  static final int DIGITS = 3;

  private static final VarHandle SUCCESSES;
  private static final VarHandle NOT_FOUND;
  private static final VarHandle FAILED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      SUCCESSES = l.findVarHandle(Slot.class, "successes", long.class);
      NOT_FOUND = l.findVarHandle(Slot.class, "notFound", long.class);
      FAILED = l.findVarHandle(Slot.class, "failed", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One thread's recorders and counters for one operation type; only that thread writes them. */
  private static final class Slot {
    /** Latency: from the intended start in open loop (coordinated-omission corrected), from the send in closed loop. */
    final SingleWriterRecorder latency = new SingleWriterRecorder(DIGITS); // auto-resizing: small until long values come
    /** Service time, from the actual send: open loop only (in closed loop it is the latency); else null. */
    final SingleWriterRecorder service;
    /** Open loop: how late the send was, from the intended start (the latency less the service time); else null. */
    final SingleWriterRecorder sendLag;
    Histogram latencyRecycled;
    Histogram serviceRecycled;
    Histogram sendLagRecycled;
    // written with release stores by the owner, read with acquire loads by swap() and the counts
    long successes;
    long notFound;
    long failed;

    Slot(boolean open) {
      service = open ? new SingleWriterRecorder(DIGITS) : null;
      sendLag = open ? new SingleWriterRecorder(DIGITS) : null;
    }
  }

  private static final class Writer {
    final Thread thread = Thread.currentThread();
    final Slot[] slots;

    Writer(OperationType[] types, boolean open) {
      slots = new Slot[OperationType.values().length];
      for (OperationType t : types) {
        slots[t.ordinal()] = new Slot(open);
      }
    }
  }

  private final OperationType[] types;
  private final boolean open;
  private final ThreadLocal<Writer> writer = ThreadLocal.withInitial(this::register);
  /** Every thread that has recorded and was alive at the last swap; guarded by this. */
  private final List<Writer> writers = new ArrayList<>();
  /** Counts of threads that ended, by ordinal: successes, not found, failed; guarded by this. */
  private final long[][] retired;
  private final Histogram[] latency;
  private final Histogram[] service;
  private final Histogram[] sendLag;
  private long lastSwapMillis = System.currentTimeMillis();

  /** @param open open loop: service times are recorded beside the latencies */
  public OpMetrics(Iterable<OperationType> types, boolean open) {
    List<OperationType> list = new ArrayList<>();
    types.forEach(list::add);
    this.types = list.toArray(new OperationType[0]);
    this.open = open;
    int n = OperationType.values().length;
    retired = new long[n][3];
    latency = new Histogram[n];
    service = new Histogram[n];
    sendLag = new Histogram[n];
    for (OperationType t : this.types) {
      latency[t.ordinal()] = newHistogram();
      service[t.ordinal()] = open ? newHistogram() : null;
      sendLag[t.ordinal()] = open ? newHistogram() : null;
    }
  }

  private synchronized Writer register() {
    Writer w = new Writer(types, open);
    writers.add(w);
    return w;
  }

  public void recordSuccess(OperationType t, long nanos) {
    Slot s = writer.get().slots[t.ordinal()];
    s.latency.recordValue(clamp(nanos));
    SUCCESSES.setRelease(s, s.successes + 1);
  }

  /** Open loop: the latency from the intended start and the service time from the send (their difference is the send's lag). */
  public void recordSuccess(OperationType t, long latencyNanos, long serviceNanos) {
    Slot s = writer.get().slots[t.ordinal()];
    s.latency.recordValue(clamp(latencyNanos));
    s.service.recordValue(clamp(serviceNanos));
    s.sendLag.recordValue(clamp(latencyNanos - serviceNanos));
    SUCCESSES.setRelease(s, s.successes + 1);
  }

  public void recordNotFound(OperationType t) {
    Slot s = writer.get().slots[t.ordinal()];
    NOT_FOUND.setRelease(s, s.notFound + 1);
  }

  public void recordFailure(OperationType t) {
    Slot s = writer.get().slots[t.ordinal()];
    FAILED.setRelease(s, s.failed + 1);
  }

  private static long clamp(long nanos) {
    return Math.min(Math.max(nanos, 1), HIGHEST_NANOS);
  }

  /** Successful operations of this type so far (not reset by {@link #swap()}). */
  public synchronized long successes(OperationType t) {
    return count(t, 0, SUCCESSES);
  }

  synchronized long notFound(OperationType t) {
    return count(t, 1, NOT_FOUND);
  }

  synchronized long failed(OperationType t) {
    return count(t, 2, FAILED);
  }

  private long count(OperationType t, int which, VarHandle field) {
    long n = retired[t.ordinal()][which];
    for (Writer w : writers) {
      n += (long) field.getAcquire(w.slots[t.ordinal()]);
    }
    return n;
  }

  /**
   * Ends an interval: afterwards {@link #latency} and {@link #service} hold, per type, what every
   * thread recorded since the previous swap (or since this was made), stamped with the interval's
   * start and end. Threads that have ended are swapped one last time and forgotten.
   */
  public synchronized void swap() {
    long now = System.currentTimeMillis();
    // every thread's recorders flipped first, back to back, so that the interval ends at one moment
    // for all of them (the adding below takes a while, longest before the JIT has compiled it)
    boolean[] ended = new boolean[writers.size()];
    for (int w = 0; w < ended.length; w++) {
      Writer writer = writers.get(w);
      ended[w] = !writer.thread.isAlive(); // read before the flip: an ended thread records nothing after it
      for (OperationType t : types) {
        Slot slot = writer.slots[t.ordinal()];
        slot.latencyRecycled = slot.latency.getIntervalHistogram(slot.latencyRecycled);
        if (slot.service != null) {
          slot.serviceRecycled = slot.service.getIntervalHistogram(slot.serviceRecycled);
          slot.sendLagRecycled = slot.sendLag.getIntervalHistogram(slot.sendLagRecycled);
        }
      }
    }
    for (OperationType t : types) {
      Histogram l = latency[t.ordinal()];
      Histogram s = service[t.ordinal()];
      Histogram g = sendLag[t.ordinal()];
      for (Histogram h : new Histogram[] {l, s, g}) {
        if (h != null) {
          h.reset();
          h.setStartTimeStamp(lastSwapMillis);
          h.setEndTimeStamp(now);
        }
      }
      for (int w = 0; w < ended.length; w++) {
        Slot slot = writers.get(w).slots[t.ordinal()];
        l.add(slot.latencyRecycled);
        if (s != null) {
          s.add(slot.serviceRecycled);
          g.add(slot.sendLagRecycled);
        }
        if (ended[w]) {
          long[] r = retired[t.ordinal()];
          r[0] += (long) SUCCESSES.getAcquire(slot);
          r[1] += (long) NOT_FOUND.getAcquire(slot);
          r[2] += (long) FAILED.getAcquire(slot);
        }
      }
    }
    lastSwapMillis = now;
    for (int w = ended.length - 1; w >= 0; w--) {
      if (ended[w]) {
        writers.remove(w);
      }
    }
  }

  /** The latencies of the last interval {@link #swap()} ended; valid until the next swap (the histogram is reused). */
  public synchronized Histogram latency(OperationType t) {
    return latency[t.ordinal()];
  }

  /** The service times of the last interval (open loop; null in closed loop); valid until the next swap. */
  synchronized Histogram service(OperationType t) {
    return service[t.ordinal()];
  }

  /** Open loop: how late the sends of the last interval were (null in closed loop); valid until the next swap. */
  synchronized Histogram sendLag(OperationType t) {
    return sendLag[t.ordinal()];
  }

  static Histogram newHistogram() {
    return new Histogram(1, HIGHEST_NANOS, DIGITS);
  }
}
