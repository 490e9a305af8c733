package dev.raftbench.harness;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A linearizability checker for the key-value store's single-key operations: Wing and Gong's
 * search with Lowe's memoisation of (linearized set, state), run per key (linearizability is
 * local, Herlihy and Wing: a history is linearizable iff each key's sub-history is, so keys are
 * checked one at a time).
 *
 * <p>The model of one key: absent, or a record (field -> hash of its value). Put replaces it,
 * Update merges fields (MISSING when absent), Delete removes it (MISSING when absent), Get returns
 * the requested fields (MISSING when absent). An operation whose outcome is unknown (it failed or
 * timed out: it may or may not have happened) may take effect at any moment after its invocation,
 * or never; a read with an unknown outcome constrains nothing and is left out.
 */
final class Linearizability {
  /** What a search concluded. */
  enum Result { OK, VIOLATION, UNKNOWN }

  enum Kind { PUT, UPDATE, DELETE, GET }

  enum Outcome { DONE, MISSING, FOUND, UNKNOWN }

  /**
   * One operation of the history.
   *
   * @param fields    for writes the fields written, for a FOUND get the fields returned (field -> value hash); else empty
   * @param requested for a get, the fields asked for (empty = all)
   */
  record Op(int id, String key, Kind kind, Map<String, Long> fields, List<String> requested, long invoke, long response, Outcome outcome) {
    boolean unknown() {
      return outcome == Outcome.UNKNOWN;
    }

    @Override
    public String toString() {
      String res = switch (outcome) {
        case FOUND -> "FOUND " + new TreeMap<>(fields);
        case UNKNOWN -> "UNKNOWN (failed or timed out)";
        default -> outcome.name();
      };
      String arg = kind == Kind.GET ? (requested.isEmpty() ? "all fields" : requested.toString())
          : kind == Kind.DELETE ? "" : new TreeMap<>(fields).toString();
      return String.format("#%d %s %s %s [%d .. %s ns] -> %s", id, kind, key, arg, invoke,
          response == Long.MAX_VALUE ? "never answered" : String.valueOf(response), res);
    }
  }

  /** The verdict on a history: per key, and the ops around the point a failing search could not pass. */
  record Verdict(Result result, int keys, int operations, int keysUnknown, String violatingKey, List<Op> offending) {}

  private Linearizability() {}

  /**
   * A key with more operations than this is not searched (result unknown): each memo entry holds a
   * bitset over the key's operations, so memory grows with their square.
   */
  static final int MAX_OPS_PER_KEY = 10_000;

  /** Checks every key's sub-history; gives up on a key after {@code maxStepsPerKey} search steps. */
  static Verdict check(List<Op> history, long maxStepsPerKey) {
    Map<String, List<Op>> byKey = new HashMap<>();
    int counted = 0;
    for (Op op : history) {
      if (op.kind() == Kind.GET && op.unknown()) {
        continue; // a read that never answered says nothing
      }
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      counted++;
    }
    int unknownKeys = 0;
    List<String> keys = new ArrayList<>(byKey.keySet());
    Collections.sort(keys);
    for (String key : keys) {
      List<Op> ops = byKey.get(key);
      KeyResult r = ops.size() > MAX_OPS_PER_KEY ? new KeyResult(Result.UNKNOWN, List.of()) : checkKey(ops, maxStepsPerKey);
      if (r.result == Result.VIOLATION) {
        return new Verdict(Result.VIOLATION, keys.size(), counted, unknownKeys, key, r.offending);
      }
      if (r.result == Result.UNKNOWN) {
        unknownKeys++;
      }
    }
    return new Verdict(unknownKeys > 0 ? Result.UNKNOWN : Result.OK, keys.size(), counted, unknownKeys, null, List.of());
  }

  private record KeyResult(Result result, List<Op> offending) {}

  /** An entry of the search list: an operation's call or its return. */
  private static final class Entry {
    final Op op;
    /** The op's index in this key's history: its bit in the linearized set. */
    final int index;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(Op op, int index, boolean call, long time) {
      this.op = op;
      this.index = index;
      this.call = call;
      this.time = time;
    }
  }

  /** The state of one key: null = absent. Immutable maps, so states can be cached. */
  private record State(Map<String, Long> record) {}

  private record Memo(BitSet linearized, State state) {}

  /** A frame of the search: the call lifted, the state and linearized set before it, and which of its outcomes was taken. */
  private record Frame(Entry call, State before, BitSet linearizedBefore, int option) {}

  static KeyResult checkKey(List<Op> ops, long maxSteps) {
    // index ops 0..n-1 locally for the bitset
    List<Op> local = new ArrayList<>(ops);
    local.sort(Comparator.comparingLong(Op::invoke));
    List<Entry> entries = new ArrayList<>();
    int known = 0;
    for (int i = 0; i < local.size(); i++) {
      Op op = local.get(i);
      Entry c = new Entry(op, i, true, op.invoke());
      Entry r = new Entry(op, i, false, op.response());
      c.match = r;
      r.match = c;
      entries.add(c);
      entries.add(r);
      if (!op.unknown()) {
        known++;
      }
    }
    // by time; at equal times calls first, so touching intervals count as concurrent
    entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
    Entry head = new Entry(null, -1, false, Long.MIN_VALUE);
    Entry prev = head;
    for (Entry e : entries) {
      prev.next = e;
      e.prev = prev;
      prev = e;
    }

    Set<Memo> cache = new HashSet<>();
    List<Frame> stack = new ArrayList<>();
    BitSet linearized = new BitSet(local.size());
    State state = new State(null);
    Entry entry = head.next;
    int knownLeft = known;
    int startOption = 0;
    long steps = 0;
    int deepest = -1;
    Entry blockedAt = null;
    while (knownLeft > 0) {
      if (++steps > maxSteps) {
        return new KeyResult(Result.UNKNOWN, List.of());
      }
      if (entry != null && entry.call) {
        boolean lifted = false;
        List<State> options = step(state, entry.op);
        for (int o = startOption; o < options.size(); o++) {
          State next = options.get(o);
          if (next == null) {
            continue; // this outcome contradicts what the operation answered
          }
          // bitsets are never changed once made: the cache holds them
          BitSet with = (BitSet) linearized.clone();
          with.set(entry.index);
          if (cache.add(new Memo(with, next))) {
            stack.add(new Frame(entry, state, linearized, o));
            state = next;
            linearized = with;
            if (!entry.op.unknown()) {
              knownLeft--;
            }
            lift(entry);
            entry = head.next;
            lifted = true;
            break;
          }
        }
        startOption = 0;
        if (!lifted) {
          entry = entry.next;
        }
      } else {
        // a return whose call is not linearized yet (or the end): this path cannot go on
        if (entry != null && entry.op.unknown()) {
          entry = entry.next; // an op that may never have happened does not block
          continue;
        }
        if (entry != null && stack.size() > deepest) {
          deepest = stack.size();
          blockedAt = entry;
        }
        if (stack.isEmpty()) {
          return new KeyResult(Result.VIOLATION, offending(local, blockedAt));
        }
        Frame f = stack.remove(stack.size() - 1);
        state = f.before();
        linearized = f.linearizedBefore();
        if (!f.call().op.unknown()) {
          knownLeft++;
        }
        unlift(f.call());
        entry = f.call();
        startOption = f.option() + 1;
      }
    }
    return new KeyResult(Result.OK, List.of());
  }

  /**
   * The operation whose return no search could pass, the ones overlapping it, and the last write
   * and the last read that completed before it began (the witnesses of what it should have seen).
   * Operations with an unknown outcome overlap everything after them: only those begun after that
   * last write are listed.
   */
  private static List<Op> offending(List<Op> ops, Entry blocked) {
    if (blocked == null) {
      return List.copyOf(ops);
    }
    Op b = blocked.op;
    Op lastWrite = null;
    Op lastRead = null;
    for (Op op : ops) {
      if (op.response() < b.invoke()) {
        if (op.kind() == Kind.GET) {
          lastRead = lastRead == null || op.response() > lastRead.response() ? op : lastRead;
        } else {
          lastWrite = lastWrite == null || op.response() > lastWrite.response() ? op : lastWrite;
        }
      }
    }
    long since = lastWrite == null ? Long.MIN_VALUE : lastWrite.invoke();
    List<Op> out = new ArrayList<>();
    for (Op op : ops) {
      boolean overlaps = op.invoke() <= b.response() && op.response() >= b.invoke();
      if (op == lastWrite || op == lastRead || (overlaps && (!op.unknown() || op.invoke() >= since))) {
        out.add(op);
      }
    }
    return out;
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }

  /**
   * The states the operation can leave, each consistent with what it answered (null where it is
   * not): one for a known outcome; for an unknown one, "it happened" and "it did not".
   */
  private static List<State> step(State s, Op op) {
    Map<String, Long> r = s.record();
    if (op.kind() == Kind.GET) {
      boolean ok;
      if (r == null) {
        ok = op.outcome() == Outcome.MISSING;
      } else if (op.outcome() != Outcome.FOUND) {
        ok = false;
      } else {
        Map<String, Long> expected = new HashMap<>();
        for (Map.Entry<String, Long> e : r.entrySet()) {
          if (op.requested().isEmpty() || op.requested().contains(e.getKey())) {
            expected.put(e.getKey(), e.getValue());
          }
        }
        ok = expected.equals(op.fields());
      }
      return Collections.singletonList(ok ? s : null);
    }
    State applied;
    Outcome answer;
    switch (op.kind()) {
      case PUT -> {
        applied = new State(Map.copyOf(op.fields()));
        answer = Outcome.DONE;
      }
      case UPDATE -> {
        if (r == null) {
          applied = s;
          answer = Outcome.MISSING;
        } else {
          Map<String, Long> merged = new HashMap<>(r);
          merged.putAll(op.fields());
          applied = new State(Map.copyOf(merged));
          answer = Outcome.DONE;
        }
      }
      default -> { // DELETE
        applied = new State(null);
        answer = r == null ? Outcome.MISSING : Outcome.DONE;
      }
    }
    if (op.unknown()) {
      return List.of(applied, s);
    }
    return Collections.singletonList(answer == op.outcome() ? applied : null);
  }
}
