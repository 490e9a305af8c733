package dev.raftbench.workloads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  @Test
  void keyNamesAreYcsbs() {
    Workload w = new Workload(Workloads.load("workload-a", Map.of()));
    // YCSB's first hashed key, as seen in any YCSB load of CoreWorkload
    assertThat(w.keyName(0)).isEqualTo("user6284781860667377211");
    Workload ordered = new Workload(Workloads.load("workload-a", Map.of("insertorder", "ordered", "zeropadding", "6")));
    assertThat(ordered.keyName(42)).isEqualTo("user000042");
  }

  @Test
  void loadHandsOutEveryRecordOnceAcrossWorkers() {
    Workload w = new Workload(Workloads.load("workload-a", Map.of("recordcount", "1000")));
    Set<String> keys = new HashSet<>();
    List<Workload.Generator> gens = List.of(w.generator(1, 0), w.generator(1, 1), w.generator(1, 2));
    int i = 0;
    Operation op;
    while ((op = gens.get(i++ % 3).nextLoad()) != null) {
      assertThat(op.type()).isEqualTo(OperationType.INSERT);
      assertThat(op.values().size()).isEqualTo(10);
      assertThat(op.values().value(0)).hasSize(100);
      assertThat(keys.add(op.key())).isTrue();
    }
    assertThat(keys).hasSize(1000);
  }

  @Test
  void workloadAMixesReadsAndUpdatesHalfAndHalfWithZipfianSkew() {
    Workload w = new Workload(Workloads.load("workload-a", Map.of()));
    Workload.Generator g = w.generator(7, 0);
    Map<OperationType, Integer> types = new HashMap<>();
    Map<String, Integer> keys = new HashMap<>();
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      Operation op = g.next();
      types.merge(op.type(), 1, Integer::sum);
      keys.merge(op.key(), 1, Integer::sum);
      if (op.type() == OperationType.UPDATE) {
        assertThat(op.values().size()).isEqualTo(1); // writeallfields=false: one field
      }
    }
    assertThat(types.get(OperationType.READ)).isBetween(n / 2 - 1000, n / 2 + 1000);
    int hottest = keys.values().stream().max(Integer::compare).orElseThrow();
    // uniform over 10000 keys would give ~10 per key; zipfian 0.99 gives the top key thousands
    assertThat(hottest).isGreaterThan(1000);
    assertThat(keys.keySet()).allSatisfy(k -> assertThat(k).startsWith("user"));
  }

  @Test
  void theSameSeedGivesTheSameStream() {
    List<String> a = stream(new Workload(Workloads.load("workload-b", Map.of())).generator(99, 3));
    List<String> b = stream(new Workload(Workloads.load("workload-b", Map.of())).generator(99, 3));
    List<String> c = stream(new Workload(Workloads.load("workload-b", Map.of())).generator(100, 3));
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  private static List<String> stream(Workload.Generator g) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Operation op = g.next();
      out.add(op.type() + " " + op.key());
    }
    return out;
  }

  @Test
  void latestReadsOnlyAcknowledgedKeysAndFavoursNewOnes() {
    Workload w = new Workload(Workloads.load("workload-d", Map.of("recordcount", "1000")));
    Workload.Generator g = w.generator(5, 0);
    long acknowledged = 999; // every loaded record
    long maxRead = -1;
    List<Operation> unacked = new ArrayList<>();
    int reads = 0;
    for (int i = 0; i < 20_000; i++) {
      Operation op = g.next();
      if (op.type() == OperationType.INSERT) {
        unacked.add(op);
        if (unacked.size() == 2) { // acknowledge out of order: the limit moves only once both are in
          g.acknowledge(unacked.get(1));
          g.acknowledge(unacked.get(0));
          acknowledged = unacked.get(1).keyNumber();
          unacked.clear();
        }
      } else {
        reads++;
        assertThat(op.keyNumber()).isBetween(0L, acknowledged);
        maxRead = Math.max(maxRead, op.keyNumber());
      }
    }
    assertThat(reads).isGreaterThan(15_000);
    assertThat(maxRead).as("reads follow the inserts").isGreaterThan(1000);
  }

  @Test
  void workloadAsHottestKeyIsYcsbs() {
    // YCSB: ScrambledZipfianGenerator(0, 0 + 10000 + 0) over 10,001 items; its most popular item
    // is zipf item 0, i.e. key number fnvhash64(0) % 10001 = 4927
    Workload w = new Workload(Workloads.load("workload-a", Map.of()));
    Workload.Generator g = w.generator(11, 0);
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      counts.merge(g.next().keyNumber(), 1, Integer::sum);
    }
    long hottest = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    assertThat(hottest).isEqualTo(Generators.fnvhash64(0) % 10_001).isEqualTo(4927);
  }

  @Test
  void loadedValuesDependOnTheSeedNotOnWhichWorkerInsertsThem() {
    Map<String, dev.raftbench.store.kv.Record> one = loadAll(new Workload(Workloads.load("workload-a", Map.of("recordcount", "300"))), 1);
    Map<String, dev.raftbench.store.kv.Record> three = loadAll(new Workload(Workloads.load("workload-a", Map.of("recordcount", "300"))), 3);
    assertThat(three).isEqualTo(one);
  }

  private static Map<String, dev.raftbench.store.kv.Record> loadAll(Workload w, int workers) {
    Map<String, dev.raftbench.store.kv.Record> loaded = new HashMap<>();
    List<Workload.Generator> gens = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      gens.add(w.generator(42, i));
    }
    Operation op;
    int i = 0;
    while ((op = gens.get(i++ % workers).nextLoad()) != null) {
      loaded.put(op.key(), op.values());
    }
    return loaded;
  }

  @Test
  void acknowledgedCounterAdvancesOnlyOverContiguousAcknowledgements() {
    AcknowledgedCounter c = new AcknowledgedCounter(10);
    assertThat(c.lastAcknowledged()).isEqualTo(9);
    long a = c.next();
    long b = c.next();
    long d = c.next();
    c.acknowledge(b);
    assertThat(c.lastAcknowledged()).isEqualTo(9);
    c.acknowledge(a);
    assertThat(c.lastAcknowledged()).isEqualTo(11);
    c.acknowledge(d);
    assertThat(c.lastAcknowledged()).isEqualTo(12);
  }

  @Test
  void scanLengthsStayInTheirBounds() {
    Workload w = new Workload(Workloads.load("workload-e", Map.of()));
    Workload.Generator g = w.generator(3, 0);
    for (int i = 0; i < 10_000; i++) {
      Operation op = g.next();
      if (op.type() == OperationType.SCAN) {
        assertThat(op.scanLength()).isBetween(1, 100);
      }
    }
  }
}
