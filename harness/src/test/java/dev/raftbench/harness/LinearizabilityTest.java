package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftbench.harness.Linearizability.Kind;
import dev.raftbench.harness.Linearizability.Op;
import dev.raftbench.harness.Linearizability.Outcome;
import dev.raftbench.harness.Linearizability.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The checker on hand-made histories with known answers, then on real trials: local (linearizable) and stale-test (not). */
class LinearizabilityTest {
  private final List<Op> h = new ArrayList<>();

  private void op(String key, Kind kind, Map<String, Long> fields, long invoke, long response, Outcome outcome) {
    h.add(new Op(h.size(), key, kind, fields, List.of(), invoke, response, outcome));
  }

  private void put(long v, long from, long to) {
    op("k", Kind.PUT, Map.of("f", v), from, to, Outcome.DONE);
  }

  private void putFailed(long v, long from) {
    op("k", Kind.PUT, Map.of("f", v), from, Long.MAX_VALUE, Outcome.UNKNOWN);
  }

  private void get(long v, long from, long to) {
    op("k", Kind.GET, Map.of("f", v), from, to, Outcome.FOUND);
  }

  private Result check() {
    return Linearizability.check(h, 1_000_000).result();
  }

  @Test
  void sequentialAndOverlappingHistoriesThatAreLinearizable() {
    put(1, 0, 10);
    get(1, 20, 30);
    // two concurrent puts: a read after both may see either, and later reads must agree with it
    put(2, 40, 60);
    put(3, 45, 55);
    get(2, 70, 80);
    get(2, 90, 100);
    // a read concurrent with a put may see the old or the new value
    put(4, 110, 150);
    get(2, 115, 120);
    get(4, 130, 140);
    assertThat(check()).isEqualTo(Result.OK);
  }

  @Test
  void aStaleReadIsAViolationAndNamed() {
    put(1, 0, 10);
    put(2, 20, 30);
    get(1, 40, 50); // put 2 completed before this read began
    Linearizability.Verdict v = Linearizability.check(h, 1_000_000);
    assertThat(v.result()).isEqualTo(Result.VIOLATION);
    assertThat(v.violatingKey()).isEqualTo("k");
    assertThat(v.offending()).extracting(Op::id).contains(1, 2);
  }

  @Test
  void newThenOldIsAViolationEvenWhileTheWriteIsInFlight() {
    put(1, 0, 10);
    put(2, 20, 200);
    get(2, 30, 40);
    get(1, 50, 60); // once a read saw 2, no later read may see 1
    Linearizability.Verdict v = Linearizability.check(h, 1_000_000);
    assertThat(v.result()).isEqualTo(Result.VIOLATION);
    // the stale read, the read that saw 2 before it, and the writes
    assertThat(v.offending()).extracting(Op::id).contains(1, 2, 3);
  }

  @Test
  void aValueNobodyWroteIsAViolation() {
    put(1, 0, 10);
    get(7, 20, 30);
    assertThat(check()).isEqualTo(Result.VIOLATION);
  }

  @Test
  void aFailedWriteMayHaveHappenedOrNot() {
    put(1, 0, 10);
    putFailed(2, 20);
    get(1, 30, 40); // not yet (or never)
    get(2, 50, 60); // it happened in between
    assertThat(check()).isEqualTo(Result.OK);
    get(1, 70, 80); // but it cannot be undone
    assertThat(check()).isEqualTo(Result.VIOLATION);
  }

  @Test
  void updatesMergeFieldsAndMissingKeysAnswerMissing() {
    op("k", Kind.UPDATE, Map.of("a", 1L), 0, 10, Outcome.MISSING);
    op("k", Kind.GET, Map.of(), 20, 30, Outcome.MISSING);
    op("k", Kind.PUT, Map.of("a", 1L, "b", 2L), 40, 50, Outcome.DONE);
    op("k", Kind.UPDATE, Map.of("b", 3L), 60, 70, Outcome.DONE);
    op("k", Kind.GET, Map.of("a", 1L, "b", 3L), 80, 90, Outcome.FOUND);
    h.add(new Op(h.size(), "k", Kind.GET, Map.of("b", 3L), List.of("b"), 95, 96, Outcome.FOUND));
    op("k", Kind.DELETE, Map.of(), 100, 110, Outcome.DONE);
    op("k", Kind.GET, Map.of(), 120, 130, Outcome.MISSING);
    assertThat(check()).isEqualTo(Result.OK);
    op("k", Kind.UPDATE, Map.of("b", 4L), 140, 150, Outcome.DONE); // an update of a deleted key cannot succeed
    assertThat(check()).isEqualTo(Result.VIOLATION);
  }

  @Test
  void anOperationNeverAnsweredIsKeptWithAnUnknownOutcome() {
    History history = new History();
    dev.raftbench.workloads.Operation put = new dev.raftbench.workloads.Operation(dev.raftbench.workloads.OperationType.INSERT, 1, "k",
        dev.raftbench.store.kv.Record.of(Map.of("f", new byte[] {1})), List.of(), 0);
    Object answered = history.begin(put, 10);
    history.record(answered, dev.raftbench.store.kv.Reply.DONE, null, 20);
    history.begin(put, 30); // sent, never answered
    List<Op> ops = history.ops();
    assertThat(ops).hasSize(2);
    assertThat(ops.get(0).outcome()).isEqualTo(Outcome.DONE);
    assertThat(ops.get(1).outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(ops.get(1).response()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void keysAreCheckedApartAndTheSearchCanGiveUp() {
    op("a", Kind.PUT, Map.of("f", 1L), 0, 10, Outcome.DONE);
    op("b", Kind.PUT, Map.of("f", 2L), 0, 10, Outcome.DONE);
    op("a", Kind.GET, Map.of("f", 1L), 20, 30, Outcome.FOUND);
    op("b", Kind.GET, Map.of("f", 2L), 20, 30, Outcome.FOUND);
    Linearizability.Verdict v = Linearizability.check(h, 1_000_000);
    assertThat(v.result()).isEqualTo(Result.OK);
    assertThat(v.keys()).isEqualTo(2);
    assertThat(Linearizability.check(h, 1).result()).isEqualTo(Result.UNKNOWN);
  }

  /**
   * Histories made by a real register: each operation takes effect at a random moment inside its
   * interval (4 clients, overlapping intervals, some writes whose answer is lost). The checker
   * must accept every one; the same history must be refused once one read answers the value of a
   * write overwritten before it began (ordering), or a value never written.
   */
  @Test
  void acceptsEveryHistoryARegisterProducesAndRefusesATamperedOne() {
    java.util.Random random = new java.util.Random(42);
    int orderingTampered = 0;
    for (int round = 0; round < 300; round++) {
      h.clear();
      // events: (moment of effect, op builder); each client runs ops back to back
      record Planned(long invoke, long effect, long response, Kind kind, long value, boolean lostAnswer) {}
      List<Planned> planned = new ArrayList<>();
      for (int client = 0; client < 4; client++) {
        long t = random.nextInt(20);
        for (int i = 0; i < 8; i++) {
          long invoke = t + random.nextInt(5);
          long effect = invoke + 1 + random.nextInt(30);
          long response = effect + 1 + random.nextInt(30);
          Kind kind = random.nextInt(3) == 0 ? Kind.PUT : Kind.GET;
          planned.add(new Planned(invoke, effect, response, kind, round * 1000L + client * 100 + i, kind == Kind.PUT && random.nextInt(10) == 0));
          t = response + random.nextInt(5);
        }
      }
      planned.sort(java.util.Comparator.comparingLong(Planned::effect));
      Long current = null;
      for (Planned p : planned) {
        if (p.kind() == Kind.PUT) {
          current = p.value();
          op("k", Kind.PUT, Map.of("f", p.value()), p.invoke(), p.lostAnswer() ? Long.MAX_VALUE : p.response(),
              p.lostAnswer() ? Outcome.UNKNOWN : Outcome.DONE);
        } else if (current == null) {
          op("k", Kind.GET, Map.of(), p.invoke(), p.response(), Outcome.MISSING);
        } else {
          op("k", Kind.GET, Map.of("f", current), p.invoke(), p.response(), Outcome.FOUND);
        }
      }
      assertThat(check()).as("round " + round).isEqualTo(Result.OK);
      List<Op> original = new ArrayList<>(h);
      // ordering: a read that answers the value of a write overwritten before the read began
      boolean tampered = false;
      for (int i = 0; i < h.size() && !tampered; i++) {
        Op read = h.get(i);
        if (read.kind() != Kind.GET || read.outcome() != Outcome.FOUND) {
          continue;
        }
        for (Op w1 : h) {
          for (Op w2 : h) {
            if (!tampered && w1.kind() == Kind.PUT && w2.kind() == Kind.PUT && !w1.unknown() && !w2.unknown()
                && w1.response() < w2.invoke() && w2.response() < read.invoke()) {
              h.set(i, new Op(read.id(), "k", Kind.GET, w1.fields(), List.of(), read.invoke(), read.response(), Outcome.FOUND));
              assertThat(check()).as("round " + round + ": a read of an overwritten value").isEqualTo(Result.VIOLATION);
              tampered = true;
              orderingTampered++;
            }
          }
        }
      }
      h.clear();
      h.addAll(original);
      for (int i = 0; i < h.size(); i++) {
        Op o = h.get(i);
        if (o.kind() == Kind.GET && o.outcome() == Outcome.FOUND) {
          h.set(i, new Op(o.id(), o.key(), Kind.GET, Map.of("f", -1L), List.of(), o.invoke(), o.response(), Outcome.FOUND));
          assertThat(check()).as("round " + round + " tampered").isEqualTo(Result.VIOLATION);
          break;
        }
      }
    }
    assertThat(orderingTampered).as("rounds with an ordering tamper").isGreaterThan(100);
  }

  /**
   * Open loop at a fixed rate for the runs that must come out "ok": a bounded number of operations
   * per key whatever the machine's speed (a closed loop on local can put tens of thousands on the
   * hottest key, past the checker's per-key cap, and the answer is then "unknown").
   */
  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void aLocalTrialIsLinearizableAndAStaleReplicaIsCaught(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("local");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--engine", "local", "--check-linearizability", "--recordcount", "50",
        "--duration", "1s", "--warmup", "200ms", "--threads", "4", "--inflight", "4", "--target", "3000", "--noise-floor", "0", "--quiet", "--forks", "0",
        "--out", ok.toString());
    assertThat(r.code).as(r.err).isZero();
    JsonNode t = new ObjectMapper().readTree(ok.resolve("trial.json").toFile());
    assertThat(t.at("/linearizability/result").asText()).isEqualTo("ok");
    assertThat(t.at("/linearizability/keys").asInt()).isEqualTo(50);
    assertThat(t.at("/linearizability/operations").asLong()).isGreaterThan(1000);
    assertThat(t.at("/linearizability/keys_unknown").asInt()).isZero();
    assertThat(Files.readAllLines(ok.resolve("history.csv"))).hasSizeGreaterThan(1000);
    assertThat(r.out).contains("linearizability: ok");

    // workload F: read-modify-writes are checked as their updates
    Path f = dir.resolve("f");
    HarnessCli rf = HarnessCli.run("run", "workload-f", "--engine", "local", "--check-linearizability", "--recordcount", "50",
        "--duration", "1s", "--warmup", "200ms", "--threads", "4", "--inflight", "4", "--target", "3000", "--noise-floor", "0", "--quiet", "--forks", "0",
        "--out", f.toString());
    assertThat(rf.code).as(rf.err).isZero();
    assertThat(new ObjectMapper().readTree(f.resolve("trial.json").toFile()).at("/linearizability/result").asText()).isEqualTo("ok");

    Path stale = dir.resolve("stale");
    HarnessCli s = HarnessCli.run("run", "workload-a", "--engine", "stale-test", "--check-linearizability", "--recordcount", "50",
        "--duration", "1s", "--warmup", "200ms", "--threads", "4", "--noise-floor", "0", "--no-verify", "--quiet", "--forks", "0",
        "--out", stale.toString());
    assertThat(s.code).isEqualTo(Harness.FAILED);
    assertThat(s.err).contains("not linearizable");
    JsonNode st = new ObjectMapper().readTree(stale.resolve("trial.json").toFile());
    assertThat(st.at("/linearizability/result").asText()).isEqualTo("violation");
    assertThat(st.at("/linearizability/offending").size()).isPositive();
    assertThat(s.out).contains("the operations around the point no linearization could pass");
  }
}
