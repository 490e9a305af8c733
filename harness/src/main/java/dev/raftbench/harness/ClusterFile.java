package dev.raftbench.harness;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.shard.PartitionerSpec;
import dev.raftbench.store.shard.Partitioners;
import dev.raftbench.store.shard.Placements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster of node daemons somebody runs ({@code harness node}), as a YAML file both the daemons
 * and the driver ({@code run --cluster FILE}) read, so that both agree on who is where and which
 * node holds which shard:
 *
 * <pre>
 * engine: ratis            # an engine with node daemons: ratis, sofajraft
 * transport: grpc          # default: the engine's first
 * shards: 4
 * replication: 3           # default: min(3, nodes)
 * placement: ring          # which nodes hold each shard (default ring)
 * hashing: jump            # key to shard, for every client of the cluster (default jump; not range)
 * log: disk                # default disk
 * fsync: on                # default on
 * reads: linearizable      # default linearizable
 * options: {}              # engine options, as -E
 * topology: {}             # free-form: what the hosts and links are (recorded in each run's spec.topology)
 * nodes:                   # n1, n2, ... in this order
 *   - id: n1
 *     address: 198.18.0.1:7001   # where its Raft RPC listens (a port, not 0: its peers dial it)
 *     http: 198.18.0.1:8001      # optional: its HTTP front door
 * </pre>
 */
public record ClusterFile(Path path, String engine, EngineSpec spec, String hashing, int vnodes, List<Node> nodes, Map<String, Object> topology) {

  /** One daemon: its id, its Raft endpoint, its front door if any (null). */
  public record Node(String id, String address, String http) {}

  /** The file as written; every field optional but nodes. */
  private record Raw(String engine, String transport, Integer shards, Integer replication, String placement, String hashing,
      Integer vnodes, String log, Object fsync, String reads, Map<String, Object> options, List<RawNode> nodes,
      Map<String, Object> topology) {}

  private record RawNode(@JsonProperty("id") String id, @JsonProperty("address") String address, @JsonProperty("http") String http) {}

  /** Whether {@code value} of {@code --cluster} names a file rather than a mode. */
  public static boolean named(String value) {
    return value.endsWith(".yaml") || value.endsWith(".yml") || value.contains("/") || Files.isRegularFile(Path.of(value));
  }

  /** Reads and checks the file; every problem is an IllegalArgumentException naming the file. */
  public static ClusterFile load(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("cluster file " + path + " does not exist (or is not a file)");
    }
    Raw raw;
    try {
      raw = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(path.toFile(), Raw.class);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException("cluster file " + path + ": unknown field '" + e.getPropertyName() + "' (known: engine, transport,"
          + " shards, replication, placement, hashing, vnodes, log, fsync, reads, options, topology, nodes; a node: id, address, http)");
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException("cluster file " + path + ": " + e.getOriginalMessage().split("\n")[0]);
    } catch (IOException e) {
      throw new IllegalArgumentException("cluster file " + path + " is not YAML: " + e.getMessage().split("\n")[0]);
    }
    if (raw == null) {
      throw new IllegalArgumentException("cluster file " + path + " is empty");
    }
    try {
      return check(path, raw);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cluster file " + path + ": " + e.getMessage(), e);
    }
  }

  private static ClusterFile check(Path path, Raw raw) {
    if (raw.engine() == null) {
      throw new IllegalArgumentException("no engine (e.g. engine: ratis)");
    }
    EngineProvider provider = Engines.byName(raw.engine());
    if (!provider.hasNodeDaemon()) {
      throw new IllegalArgumentException("the " + raw.engine() + " engine has no node daemons (engines that do: ratis, sofajraft)");
    }
    if (raw.nodes() == null || raw.nodes().isEmpty()) {
      throw new IllegalArgumentException("no nodes (nodes: - id: n1, address: HOST:PORT ...)");
    }
    List<Node> nodes = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < raw.nodes().size(); i++) {
      RawNode n = raw.nodes().get(i);
      String want = "n" + (i + 1);
      if (n == null || !want.equals(n.id())) {
        throw new IllegalArgumentException("node " + (i + 1) + " must have id " + want + " (nodes are n1, n2, ... in order), was "
            + (n == null ? "empty" : n.id()));
      }
      String address = endpoint(want + ".address", n.address(), false);
      if (!seen.add(address)) {
        throw new IllegalArgumentException("two nodes at " + address);
      }
      String http = n.http() == null ? null : endpoint(want + ".http", n.http(), true);
      if (http != null && !seen.add(http)) {
        throw new IllegalArgumentException("two endpoints at " + http);
      }
      nodes.add(new Node(want, address, http));
    }
    String transport = Engines.transport(provider, raw.transport());
    int shards = raw.shards() == null ? 1 : raw.shards();
    int replication = raw.replication() == null ? Math.min(3, nodes.size()) : raw.replication();
    String placement = raw.placement() == null ? Placements.defaultName() : raw.placement();
    String hashing = raw.hashing() == null ? Partitioners.defaultName() : raw.hashing();
    Partitioners.check(hashing);
    if (Partitioners.needsKeySample(hashing)) {
      throw new IllegalArgumentException("hashing " + hashing + " splits a workload's key sample, which the cluster's other clients"
          + " (the front doors) do not have: take a hashing scheme that needs no keys, e.g. jump or ring");
    }
    int vnodes = raw.vnodes() == null ? PartitionerSpec.DEFAULT_VNODES : raw.vnodes();
    Partitioners.create(hashing, new PartitionerSpec(shards, vnodes, List.of(), PartitionerSpec.DEFAULT_BALANCE_EPSILON));
    Map<String, String> options = new LinkedHashMap<>();
    if (raw.options() != null) {
      raw.options().forEach((k, v) -> options.put(k, String.valueOf(v)));
    }
    EngineSpec spec = new EngineSpec(nodes.size(), shards, replication, placement, transport,
        LogStorage.parse(raw.log() == null ? "disk" : raw.log()), fsync(raw.fsync()),
        ReadConsistency.parse(raw.reads() == null ? "linearizable" : raw.reads()), null, options, ClusterMode.EXTERNAL,
        nodes.stream().map(Node::address).toList());
    provider.validate(spec);
    return new ClusterFile(path, provider.name(), spec, hashing, vnodes, List.copyOf(nodes),
        raw.topology() == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(raw.topology())));
  }

  /** YAML 1.1 reads an unquoted on/off as a boolean: both spellings are taken. */
  private static boolean fsync(Object v) {
    if (v == null) {
      return true;
    }
    return switch (String.valueOf(v)) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default -> throw new IllegalArgumentException("fsync must be on or off, was '" + v + "'");
    };
  }

  /** {@code HOST:PORT}, the port in 1..65535 (0 with {@code zeroOk}: the kernel picks it). */
  static String endpoint(String what, String value, boolean zeroOk) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is missing (HOST:PORT)");
    }
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(what + " must be HOST:PORT, was '" + value + "'");
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be HOST:PORT, was '" + value + "'");
    }
    if (port < (zeroOk ? 0 : 1) || port > 65535) {
      throw new IllegalArgumentException(what + ": port must lie in " + (zeroOk ? 0 : 1) + "..65535, was " + port);
    }
    return value;
  }

  /** The node's index (from 0) by id. */
  public int indexOf(String id) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).id().equals(id)) {
        return i;
      }
    }
    throw new IllegalArgumentException("cluster file " + path + " has no node " + id + " (nodes: "
        + String.join(", ", nodes.stream().map(Node::id).toList()) + ")");
  }

  /** The partitioner every client of this cluster routes keys with. */
  public dev.raftbench.store.shard.Partitioner partitioner() {
    return Partitioners.create(hashing, new PartitionerSpec(spec.shards(), vnodes, List.of(), PartitionerSpec.DEFAULT_BALANCE_EPSILON));
  }
}
