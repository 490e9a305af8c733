package dev.raftbench.etcd;

import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.kv.Codec;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The etcd engine's settings, parsed and checked from a spec before anything starts. Every value
 * here is recorded in the bundle's spec (engine options) as given; the defaults are etcd's own.
 *
 * @param endpoints       client URLs of a cluster the user runs; empty = start members as child processes
 * @param binary          the etcd executable (child-process mode)
 * @param heartbeatMs     etcd --heartbeat-interval
 * @param electionMs      etcd --election-timeout
 * @param snapshotCount   etcd --snapshot-count: applied entries between snapshots (and log compaction)
 * @param requestTimeoutMs deadline of one gRPC call; past it the call fails retriable
 * @param startTimeoutSecs how long members may take to elect leaders
 * @param prefix          key namespace (jetcd's); on a user's cluster it is emptied on close unless keep
 * @param keep            keep the keys written to a user's cluster
 */
record EtcdOptions(
    List<URI> endpoints, String binary, int heartbeatMs, int electionMs, long snapshotCount, int requestTimeoutMs,
    int startTimeoutSecs, String prefix, boolean keep) {

  /** Largest request etcd members started here accept: our largest command plus room for framing. */
  static final int MAX_REQUEST_BYTES = Codec.MAX_COMMAND_BYTES + (64 << 10);

  static final String DEBIAN_PACKAGE = "etcd-server";

  private static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("endpoints", "");
    d.put("binary", "etcd");
    d.put("heartbeat.ms", "100");
    d.put("election.ms", "1000");
    d.put("snapshot.count", "100000");
    d.put("request.timeout.ms", "10000");
    d.put("start.timeout.secs", "60");
    d.put("prefix", "");
    d.put("keep", "false");
    DEFAULTS = Map.copyOf(d);
  }

  boolean external() {
    return !endpoints.isEmpty();
  }

  static EtcdOptions parse(EngineSpec spec) {
    if (!EtcdEngine.TRANSPORT.equals(spec.transport())) {
      throw new IllegalArgumentException("unknown transport '" + spec.transport() + "' for engine etcd (known: "
          + EtcdEngine.TRANSPORT + ", etcd's own client API)");
    }
    if (spec.log() == LogStorage.MEMORY) {
      throw new IllegalArgumentException("engine etcd always keeps its log on disk (WAL and bbolt): use --log disk");
    }
    if (spec.reads() == ReadConsistency.LEASE) {
      throw new IllegalArgumentException("engine etcd has no lease reads: use --reads linearizable (ReadIndex) or"
          + " --reads stale (serializable: the member asked answers from its own state)");
    }
    Map<String, String> o = new TreeMap<>(DEFAULTS);
    for (Map.Entry<String, String> e : spec.options().entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown etcd option '" + e.getKey() + "' (known: "
            + String.join(", ", new TreeMap<>(DEFAULTS).keySet()) + ")");
      }
      o.put(e.getKey(), e.getValue().trim());
    }
    List<URI> endpoints = endpoints(o.get("endpoints"));
    int heartbeat = positive(o, "heartbeat.ms");
    int election = positive(o, "election.ms");
    if (election < 5 * heartbeat) {
      throw new IllegalArgumentException("etcd option election.ms (" + election + ") must be at least 5 times"
          + " heartbeat.ms (" + heartbeat + "), as etcd requires");
    }
    String keep = o.get("keep");
    if (!keep.equals("true") && !keep.equals("false")) {
      throw new IllegalArgumentException("etcd option keep must be true or false, was '" + keep + "'");
    }
    String prefix = o.get("prefix");
    if (!endpoints.isEmpty()) {
      if (spec.shards() != 1) {
        throw new IllegalArgumentException("a cluster given by -E endpoints is one etcd cluster, one Raft group:"
            + " use --shards 1 (was " + spec.shards() + "); without endpoints, each shard gets a cluster of its own");
      }
      if (spec.nodes() != endpoints.size() || spec.replication() != spec.nodes()) {
        throw new IllegalArgumentException("-E endpoints lists " + endpoints.size() + " members: use --nodes "
            + endpoints.size() + " --replication " + endpoints.size() + " (was --nodes " + spec.nodes()
            + " --replication " + spec.replication() + ")");
      }
      if (prefix.isEmpty()) {
        prefix = "raftbench/";
      }
    } else if (spec.options().containsKey("keep")) {
      throw new IllegalArgumentException("etcd option keep is for a cluster given by -E endpoints: the members"
          + " started here keep their data only with --data-dir");
    }
    return new EtcdOptions(endpoints, endpoints.isEmpty() ? executable(o.get("binary")) : o.get("binary"),
        heartbeat, election, positiveLong(o, "snapshot.count"), positive(o, "request.timeout.ms"),
        positive(o, "start.timeout.secs"), prefix, Boolean.parseBoolean(keep));
  }

  private static List<URI> endpoints(String v) {
    List<URI> list = new ArrayList<>();
    if (v.isEmpty()) {
      return list;
    }
    for (String s : v.split(",")) {
      String t = s.trim();
      URI u;
      try {
        u = URI.create(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("etcd endpoint '" + t + "' must look like http://HOST:PORT, e.g. http://127.0.0.1:2379");
      }
      if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() <= 0) {
        throw new IllegalArgumentException("etcd endpoint '" + t + "' must look like http://HOST:PORT (TLS is not supported)");
      }
      list.add(u);
    }
    return List.copyOf(list);
  }

  /** The etcd binary as given (a path) or found on PATH; missing says which package brings it. */
  private static String executable(String name) {
    if (name.contains(File.separator)) {
      if (!Files.isExecutable(Path.of(name))) {
        throw new IllegalArgumentException("etcd binary " + name + " is not an executable file");
      }
      return name;
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalArgumentException("engine etcd needs the etcd binary, and '" + name + "' is not on PATH:"
        + " install Debian's " + DEBIAN_PACKAGE + " package (apt-get install " + DEBIAN_PACKAGE
        + "), pass -E binary=/path/to/etcd, or use a running cluster with -E endpoints=http://HOST:PORT,...");
  }

  private static int positive(Map<String, String> o, String key) {
    long v = positiveLong(o, key);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("etcd option " + key + " is too large: " + v);
    }
    return (int) v;
  }

  private static long positiveLong(Map<String, String> o, String key) {
    String v = o.get(key);
    try {
      long l = Long.parseLong(v);
      if (l <= 0) {
        throw new NumberFormatException();
      }
      return l;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("etcd option " + key + " must be a positive integer, was '" + v + "'");
    }
  }
}
