package dev.raftbench.store.engine;

import dev.raftbench.store.shard.Placements;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything that shapes a cluster: read by engines, recorded in every results bundle.
 *
 * @param nodes       number of servers
 * @param shards      number of shards (Raft groups)
 * @param replication replicas of each shard (k, at most nodes)
 * @param placement   which nodes hold each shard (see {@link Placements}); engines follow {@link #layout()}
 * @param transport   the engine's transport name (one of its provider's)
 * @param log         where the Raft log lives
 * @param fsync       whether a write is forced to disk before it is acknowledged (engines without
 *                    a disk log have nothing to force; an engine that cannot turn it off says so)
 * @param reads       read consistency
 * @param dataDir     where disk state goes; null = a fresh temporary directory removed on close
 * @param options     engine-specific settings (-E key=value), passed through
 * @param cluster     where the nodes run: in the client's JVM, or each in a process of its own
 * @param endpoints   with {@link ClusterMode#EXTERNAL}, node i's {@code HOST:PORT} (node ids are
 *                    n1, n2, ... in this order); empty otherwise
 */
public record EngineSpec(
    int nodes, int shards, int replication, String placement, String transport, LogStorage log, boolean fsync,
    ReadConsistency reads, Path dataDir, Map<String, String> options, ClusterMode cluster, List<String> endpoints) {

  public EngineSpec {
    if (nodes <= 0) {
      throw new IllegalArgumentException("nodes must be positive, was " + nodes);
    }
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    if (replication <= 0 || replication > nodes) {
      throw new IllegalArgumentException("replication must lie in [1, nodes = " + nodes + "], was " + replication);
    }
    Placements.create(placement); // validates the name
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(reads, "reads");
    Objects.requireNonNull(cluster, "cluster");
    options = Map.copyOf(new TreeMap<>(options));
    endpoints = List.copyOf(endpoints);
    if ((cluster == ClusterMode.EXTERNAL) != !endpoints.isEmpty() || (!endpoints.isEmpty() && endpoints.size() != nodes)) {
      throw new IllegalArgumentException("an external cluster names one endpoint per node (" + nodes + "), and only it: " + endpoints);
    }
  }

  /** No endpoints: a cluster the engine starts. */
  public EngineSpec(int nodes, int shards, int replication, String placement, String transport, LogStorage log, boolean fsync,
      ReadConsistency reads, Path dataDir, Map<String, String> options, ClusterMode cluster) {
    this(nodes, shards, replication, placement, transport, log, fsync, reads, dataDir, options, cluster, List.of());
  }

  /** Nodes embedded in the client's JVM. */
  public EngineSpec(int nodes, int shards, int replication, String placement, String transport, LogStorage log, boolean fsync,
      ReadConsistency reads, Path dataDir, Map<String, String> options) {
    this(nodes, shards, replication, placement, transport, log, fsync, reads, dataDir, options, ClusterMode.EMBEDDED);
  }

  /** Replication min(3, nodes), ring placement, fsync on. */
  public EngineSpec(int nodes, int shards, String transport, LogStorage log, ReadConsistency reads, Path dataDir, Map<String, String> options) {
    this(nodes, shards, Math.min(3, nodes), Placements.defaultName(), transport, log, true, reads, dataDir, options);
  }

  public static EngineSpec of(int nodes, int shards, String transport) {
    return new EngineSpec(nodes, shards, transport, LogStorage.MEMORY, ReadConsistency.LINEARIZABLE, null, Map.of());
  }

  /** For every shard, the indexes of its replica nodes, its preferred leader first. */
  public List<List<Integer>> layout() {
    return Placements.create(placement).place(nodes, shards, replication);
  }

  /** For engines without options: refuses any -E setting rather than ignore it. */
  public EngineSpec requireNoOptions(String engine) {
    if (!options.isEmpty()) {
      throw new IllegalArgumentException("the " + engine + " engine takes no engine options (-E), got " + options.keySet());
    }
    return this;
  }

  public EngineSpec withOptions(Map<String, String> more) {
    Map<String, String> m = new TreeMap<>(options);
    m.putAll(more);
    return new EngineSpec(nodes, shards, replication, placement, transport, log, fsync, reads, dataDir, m, cluster, endpoints);
  }

  public EngineSpec withDataDir(Path dir) {
    return new EngineSpec(nodes, shards, replication, placement, transport, log, fsync, reads, dir, options, cluster, endpoints);
  }

  public EngineSpec withLog(LogStorage l) {
    return new EngineSpec(nodes, shards, replication, placement, transport, l, fsync, reads, dataDir, options, cluster, endpoints);
  }

  public EngineSpec withPlacement(int nodeCount, int k, String placementName) {
    return new EngineSpec(nodeCount, shards, k, placementName, transport, log, fsync, reads, dataDir, options, cluster, endpoints);
  }

  public EngineSpec withCluster(ClusterMode mode) {
    return new EngineSpec(nodes, shards, replication, placement, transport, log, fsync, reads, dataDir, options, mode);
  }

  /** Node i's host ({@link ClusterMode#EXTERNAL}). */
  public String endpointHost(int node) {
    String e = endpoints.get(node);
    return e.substring(0, e.lastIndexOf(':'));
  }

  /** Node i's port ({@link ClusterMode#EXTERNAL}). */
  public int endpointPort(int node) {
    String e = endpoints.get(node);
    return Integer.parseInt(e.substring(e.lastIndexOf(':') + 1));
  }
}
