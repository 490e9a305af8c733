package dev.raftbench.harness;

import dev.raftbench.store.shard.Partitioner;
import dev.raftbench.store.shard.PartitionerSpec;
import dev.raftbench.store.shard.Partitioners;
import dev.raftbench.workloads.Generators;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Compares hashing schemes as a multi-raft store uses them, on two levels: keys -> shards with
 * the scheme over {@code shards} buckets, and shards -> nodes with the same scheme over the node
 * count (items are the shard names "shard-i"; range splits the sorted names into blocks). A node
 * joining or leaving moves whole shards; a key moves when its shard does.
 */
final class HashingStudy {
  static final int[] NODE_GROWTH = {3, 5, 10, 20, 30, 50, 75, 100};

  record Params(int nodes, int shards, int keys, String distribution, double zipfianConstant, int vnodes, double balanceEpsilon, long seed) {}

  /** One scheme's figures. */
  record Row(String scheme, double keysPeakToMean, double opsPeakToMean, double shardsPeakToMean,
      double keysMovedOnAdd, double shardsMovedOnAdd, double keysMovedOnRemove, double shardsMovedOnRemove,
      double movesBetweenSurvivorsOnAdd, double lookupNanos, double[] keysPeakToMeanByNodes) {}

  /** @param nodeGrowth the node counts of {@link Row#keysPeakToMeanByNodes} (those up to the shard count) */
  record Result(Params params, double idealMovedOnAdd, double idealMovedOnRemove, int[] nodeGrowth, List<Row> rows) {}

  static Result run(Params p) {
    List<String> keys = new ArrayList<>(p.keys());
    for (int i = 0; i < p.keys(); i++) {
      keys.add("user" + Generators.fnvhash64(i)); // YCSB's hashed key names
    }
    double[] weight = weights(p);
    List<String> shardNames = new ArrayList<>();
    for (int s = 0; s < p.shards(); s++) {
      shardNames.add("shard-" + s);
    }
    int[] growth = java.util.Arrays.stream(NODE_GROWTH).filter(n -> n <= p.shards()).toArray();
    List<Row> rows = new ArrayList<>();
    for (String scheme : Partitioners.names()) {
      Partitioner keyToShard = Partitioners.create(scheme, new PartitionerSpec(p.shards(), p.vnodes(), keys, p.balanceEpsilon()));
      long[] keysPerShard = new long[p.shards()];
      double[] opsPerShard = new double[p.shards()];
      for (int i = 0; i < Math.min(keys.size(), 200_000); i++) { // warm the JIT before timing; counts kept
        keysPerShard[keyToShard.shardOf(keys.get(i))]++;
      }
      java.util.Arrays.fill(keysPerShard, 0);
      long t0 = System.nanoTime();
      for (int i = 0; i < keys.size(); i++) {
        int s = keyToShard.shardOf(keys.get(i));
        keysPerShard[s]++;
        opsPerShard[s] += weight[i];
      }
      // includes the counting around each lookup: a rough figure (JMH in microbench is the precise one)
      double lookupNanos = (System.nanoTime() - t0) / (double) keys.size();

      int[] place = place(scheme, p, shardNames, p.nodes());
      int[] placeAdd = place(scheme, p, shardNames, p.nodes() + 1);
      int[] placeRemove = p.nodes() > 1 ? place(scheme, p, shardNames, p.nodes() - 1) : place;
      long movedKeysAdd = 0;
      long movedKeysRemove = 0;
      int movedShardsAdd = 0;
      int movedShardsRemove = 0;
      int survivorsAdd = 0;
      for (int s = 0; s < p.shards(); s++) {
        if (place[s] != placeAdd[s]) {
          movedShardsAdd++;
          movedKeysAdd += keysPerShard[s];
          if (placeAdd[s] != p.nodes()) {
            survivorsAdd++;
          }
        }
        if (place[s] != placeRemove[s]) {
          movedShardsRemove++;
          movedKeysRemove += keysPerShard[s];
        }
      }
      double[] byNodes = new double[growth.length];
      for (int i = 0; i < growth.length; i++) {
        byNodes[i] = peakToMean(perNode(place(scheme, p, shardNames, growth[i]), keysPerShard, growth[i]));
      }
      rows.add(new Row(scheme,
          peakToMean(perNode(place, keysPerShard, p.nodes())),
          peakToMean(perNode(place, opsPerShard, p.nodes())),
          peakToMean(perNode(place, ones(p.shards()), p.nodes())),
          movedKeysAdd / (double) p.keys(), movedShardsAdd / (double) p.shards(),
          movedKeysRemove / (double) p.keys(), movedShardsRemove / (double) p.shards(),
          survivorsAdd / (double) p.shards(), lookupNanos, byNodes));
    }
    return new Result(p, 1.0 / (p.nodes() + 1), 1.0 / p.nodes(), growth, rows);
  }

  /** Shard -> node with the scheme; removing a node removes the last one (what jump allows). */
  private static int[] place(String scheme, Params p, List<String> shardNames, int nodes) {
    Partitioner shardToNode = Partitioners.create(scheme, new PartitionerSpec(nodes, p.vnodes(), shardNames, p.balanceEpsilon()));
    int[] place = new int[shardNames.size()];
    for (int s = 0; s < place.length; s++) {
      place[s] = shardToNode.shardOf(shardNames.get(s));
    }
    return place;
  }

  private static double[] weights(Params p) {
    double[] w = new double[p.keys()];
    if (p.distribution().equals("uniform")) {
      java.util.Arrays.fill(w, 1.0);
      return w;
    }
    // zipfian popularity by rank, ranks scattered over the keys (as YCSB's scrambled zipfian)
    int[] rank = new int[p.keys()];
    for (int i = 0; i < rank.length; i++) {
      rank[i] = i;
    }
    Random r = new Random(p.seed());
    for (int i = rank.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = rank[i];
      rank[i] = rank[j];
      rank[j] = t;
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = 1.0 / Math.pow(rank[i] + 1, p.zipfianConstant());
    }
    return w;
  }

  private static double[] ones(int n) {
    double[] d = new double[n];
    java.util.Arrays.fill(d, 1.0);
    return d;
  }

  private static double[] perNode(int[] place, long[] perShard, int nodes) {
    double[] d = new double[perShard.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = perShard[i];
    }
    return perNode(place, d, nodes);
  }

  private static double[] perNode(int[] place, double[] perShard, int nodes) {
    double[] load = new double[nodes];
    for (int s = 0; s < place.length; s++) {
      load[place[s]] += perShard[s];
    }
    return load;
  }

  static double peakToMean(double[] load) {
    double sum = 0;
    double max = 0;
    for (double l : load) {
      sum += l;
      max = Math.max(max, l);
    }
    return sum == 0 ? 0 : max / (sum / load.length);
  }
}
