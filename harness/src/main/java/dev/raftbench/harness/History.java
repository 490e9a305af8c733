package dev.raftbench.harness;

import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.workloads.Operation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every single-key operation of a trial (load, warm-up and measured phase) with its invocation
 * and response times and what it answered, for {@link Linearizability}: {@code --check-linearizability}.
 * Values are kept as 64-bit hashes per field. A read-modify-write is recorded as its write (an
 * update over the whole interval; its read is not checked); scans (several keys, no change) are
 * not recorded, only counted. An operation still unanswered when the history is read is kept with
 * an unknown outcome: it may or may not have happened.
 */
final class History {
  private final ConcurrentLinkedQueue<Linearizability.Op> ops = new ConcurrentLinkedQueue<>();
  /** Sent and not yet answered: token -> (operation, invocation time). */
  private final Map<Object, Object[]> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final LongAdder skipped = new LongAdder();

  /** The operation was sent at {@code invoke}; returns the token to {@link #record} its answer with (null: not recorded). */
  Object begin(Operation op, long invoke) {
    if (kind(op) == null) {
      skipped.increment();
      return null;
    }
    Object token = new Object();
    inFlight.put(token, new Object[] {op, invoke, ids.getAndIncrement()});
    return token;
  }

  private static Linearizability.Kind kind(Operation op) {
    return switch (op.type()) {
      case READ -> Linearizability.Kind.GET;
      case UPDATE, READ_MODIFY_WRITE -> Linearizability.Kind.UPDATE;
      case INSERT -> Linearizability.Kind.PUT;
      case DELETE -> Linearizability.Kind.DELETE;
      default -> null;
    };
  }

  void record(Object token, Reply reply, Throwable error, long response) {
    Object[] sent = token == null ? null : inFlight.remove(token);
    if (sent != null) {
      add((Integer) sent[2], (Operation) sent[0], (Long) sent[1], response, reply, error);
    }
  }

  private void add(int id, Operation op, long invoke, long response, Reply reply, Throwable error) {
    Linearizability.Kind kind = kind(op);
    Linearizability.Outcome outcome;
    Map<String, Long> fields;
    if (error != null) {
      outcome = Linearizability.Outcome.UNKNOWN;
      fields = kind == Linearizability.Kind.GET ? Map.of() : hashes(op.values());
      response = Long.MAX_VALUE;
    } else if (reply instanceof Reply.Missing) {
      outcome = Linearizability.Outcome.MISSING;
      fields = kind == Linearizability.Kind.GET ? Map.of() : hashes(op.values());
    } else if (reply instanceof Reply.Found found) {
      outcome = Linearizability.Outcome.FOUND;
      fields = hashes(found.record());
    } else {
      outcome = Linearizability.Outcome.DONE;
      fields = hashes(op.values());
    }
    ops.add(new Linearizability.Op(id, op.key(), kind, fields, op.fields(), invoke, response, outcome));
  }

  private static Map<String, Long> hashes(Record r) {
    Map<String, Long> m = new HashMap<>(r.size() * 2);
    for (int i = 0; i < r.size(); i++) {
      m.put(r.name(i), WriteLedger.hash(r.value(i)));
    }
    return Map.copyOf(m);
  }

  /** Every operation so far; those still unanswered with an unknown outcome. */
  List<Linearizability.Op> ops() {
    List<Linearizability.Op> list = new ArrayList<>(ops);
    for (Object[] sent : inFlight.values()) {
      Operation op = (Operation) sent[0];
      list.add(new Linearizability.Op((Integer) sent[2], op.key(), kind(op), kind(op) == Linearizability.Kind.GET ? Map.of() : hashes(op.values()),
          op.fields(), (Long) sent[1], Long.MAX_VALUE, Linearizability.Outcome.UNKNOWN));
    }
    list.sort(Comparator.comparingInt(Linearizability.Op::id));
    return list;
  }

  long skipped() {
    return skipped.sum();
  }

  /** history.csv: one line per operation; times in ns on this JVM's clock, field values as hashes. */
  void write(Path file) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      w.println("id,key,op,invoke_ns,response_ns,outcome,requested_fields,fields");
      for (Linearizability.Op op : ops()) {
        w.printf("%d,%s,%s,%d,%s,%s,%s,%s%n", op.id(), op.key(), op.kind(), op.invoke(),
            op.response() == Long.MAX_VALUE ? "" : String.valueOf(op.response()), op.outcome(), String.join(";", op.requested()),
            fieldsColumn(op.fields()));
      }
    }
  }

  private static String fieldsColumn(Map<String, Long> fields) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(fields).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ";").append(k).append('=').append(Long.toHexString(v)));
    return sb.toString();
  }
}
