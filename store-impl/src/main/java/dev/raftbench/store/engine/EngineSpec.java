package dev.raftbench.store.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything that shapes a cluster: read by engines, recorded in every results bundle.
 *
 * @param nodes       number of servers
 * @param shards      number of shards (Raft groups)
 * @param transport   the engine's transport name (one of its provider's)
 * @param log         where the Raft log lives
 * @param reads       read consistency
 * @param dataDir     where disk state goes; null = a fresh temporary directory removed on close
 * @param options     engine-specific settings (-E key=value), passed through
 */
public record EngineSpec(
    int nodes, int shards, String transport, LogStorage log, ReadConsistency reads, Path dataDir,
    Map<String, String> options) {

  public EngineSpec {
    if (nodes <= 0) {
      throw new IllegalArgumentException("nodes must be positive, was " + nodes);
    }
    if (shards <= 0) {
      throw new IllegalArgumentException("shards must be positive, was " + shards);
    }
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(reads, "reads");
    options = Map.copyOf(new TreeMap<>(options));
  }

  public static EngineSpec of(int nodes, int shards, String transport) {
    return new EngineSpec(nodes, shards, transport, LogStorage.MEMORY, ReadConsistency.LINEARIZABLE, null, Map.of());
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
    return new EngineSpec(nodes, shards, transport, log, reads, dataDir, m);
  }

  public EngineSpec withLog(LogStorage l) {
    return new EngineSpec(nodes, shards, transport, l, reads, dataDir, options);
  }

  public EngineSpec withDataDir(Path dir) {
    return new EngineSpec(nodes, shards, transport, log, reads, dir, options);
  }
}
