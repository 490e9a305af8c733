package dev.raftbench.ycsb;

import dev.raftbench.store.client.RetryPolicy;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import dev.raftbench.store.shard.Partitioner;
import dev.raftbench.store.shard.PartitionerSpec;
import dev.raftbench.store.shard.Partitioners;
import dev.raftbench.store.shard.Placements;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB's {@code DB} over a RaftBench engine: {@code site.ycsb.Client -db dev.raftbench.ycsb.RaftBenchDB}.
 * YCSB makes one instance per client thread; they share one cluster and one sharded client, started
 * by the first {@link #init()} and closed by the last {@link #cleanup()} (or, with
 * {@code raftbench.keep=true}, when the JVM exits, so a load and a run phase in one JVM see the
 * same data). The table name is ignored: one key space, as in RaftBench.
 *
 * <p>Properties (with {@code -p}): {@code raftbench.engine} (ratis), {@code raftbench.transport},
 * {@code raftbench.nodes} (3), {@code raftbench.shards} (8), {@code raftbench.replication},
 * {@code raftbench.placement} (ring), {@code raftbench.hashing} (jump; not range, which needs the
 * keys in advance), {@code raftbench.log} (disk), {@code raftbench.fsync} (on), {@code raftbench.reads}
 * (linearizable), {@code raftbench.timeout.s} (60), {@code raftbench.keep} (false), and
 * {@code raftbench.E.KEY=VALUE} for an engine option.
 */
public final class RaftBenchDB extends DB {
  private static final Object LOCK = new Object();
  private static Shared shared;
  private static int users;
  /** A start that failed: every later init() fails the same way instead of starting another cluster. */
  private static DBException failed;

  /** The cluster and client every instance of this JVM uses. */
  private record Shared(Engine engine, ShardedKvClient client, long timeoutSeconds, boolean keep) {
    void close() {
      client.close();
      engine.close();
    }
  }

  private Shared cluster;

  @Override
  public void init() throws DBException {
    synchronized (LOCK) {
      if (failed != null) {
        throw failed;
      }
      if (shared == null) {
        try {
          shared = start(getProperties());
        } catch (DBException e) {
          failed = e;
          throw e;
        }
        if (shared.keep()) {
          Shared s = shared;
          Runtime.getRuntime().addShutdownHook(new Thread(s::close, "raftbench-ycsb-close"));
        }
      }
      users++;
      cluster = shared;
    }
  }

  private static Shared start(Properties p) throws DBException {
    try {
      EngineProvider provider = Engines.byName(p.getProperty("raftbench.engine", "ratis"));
      int nodes = Integer.parseInt(p.getProperty("raftbench.nodes", "3"));
      int shards = Integer.parseInt(p.getProperty("raftbench.shards", "8"));
      int replication = Integer.parseInt(p.getProperty("raftbench.replication", Integer.toString(Math.min(3, nodes))));
      String hashing = p.getProperty("raftbench.hashing", Partitioners.defaultName());
      Partitioners.check(hashing);
      if (Partitioners.needsKeySample(hashing)) {
        throw new IllegalArgumentException("raftbench.hashing=" + hashing + " splits the key space by a sample of the keys, which a YCSB"
            + " binding does not have in advance; use a hashing scheme (jump, ring, rendezvous, maglev, bounded, modulo)");
      }
      Map<String, String> options = new TreeMap<>();
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("raftbench.E.")) {
          options.put(name.substring("raftbench.E.".length()), p.getProperty(name));
        }
      }
      boolean fsync = switch (p.getProperty("raftbench.fsync", "on")) {
        case "on" -> true;
        case "off" -> false;
        default -> throw new IllegalArgumentException("raftbench.fsync must be on or off");
      };
      EngineSpec spec = new EngineSpec(nodes, shards, replication, p.getProperty("raftbench.placement", Placements.defaultName()),
          Engines.transport(provider, p.getProperty("raftbench.transport")), LogStorage.parse(p.getProperty("raftbench.log", "disk")), fsync,
          ReadConsistency.parse(p.getProperty("raftbench.reads", "linearizable")), null, options);
      provider.validate(spec);
      Partitioner partitioner = Partitioners.create(hashing, new PartitionerSpec(shards, PartitionerSpec.DEFAULT_VNODES, List.of()));
      long timeout = Long.parseLong(p.getProperty("raftbench.timeout.s", "60"));
      if (timeout <= 0) {
        throw new IllegalArgumentException("raftbench.timeout.s must be positive, was " + timeout);
      }
      boolean keep = Boolean.parseBoolean(p.getProperty("raftbench.keep", "false"));
      // everything read and checked: only now a cluster starts, and it is closed if the client cannot be made
      Engine engine = provider.start(spec);
      try {
        return new Shared(engine, new ShardedKvClient(engine, partitioner, RetryPolicy.DEFAULT), timeout, keep);
      } catch (RuntimeException e) {
        engine.close();
        throw e;
      }
    } catch (IllegalArgumentException e) {
      throw new DBException("raftbench: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new DBException("raftbench: the cluster did not start: " + e.getMessage(), e);
    }
  }

  @Override
  public void cleanup() throws DBException {
    synchronized (LOCK) {
      if (cluster == null) {
        return;
      }
      cluster = null;
      users--;
      if (users == 0 && shared != null && !shared.keep()) {
        shared.close();
        shared = null;
      }
    }
  }

  private Reply await(CompletableFuture<Reply> f) throws Exception {
    try {
      return f.get(cluster.timeoutSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      f.cancel(false);
      throw e;
    }
  }

  private static Record record(Map<String, ByteIterator> values) {
    Map<String, byte[]> m = new HashMap<>(values.size() * 2);
    values.forEach((k, v) -> m.put(k, v.toArray()));
    return Record.of(m);
  }

  private static void copy(Record r, Map<String, ByteIterator> into) {
    for (int i = 0; i < r.size(); i++) {
      into.put(r.name(i), new ByteArrayByteIterator(r.value(i)));
    }
  }

  private static List<String> fields(Set<String> fields) {
    return fields == null ? List.of() : new ArrayList<>(fields);
  }

  private static Status status(Reply r) {
    return r instanceof Reply.Missing ? Status.NOT_FOUND : Status.OK;
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      Reply r = await(cluster.client().get(key, fields(fields)));
      if (r instanceof Reply.Found found) {
        copy(found.record(), result);
      }
      return status(r);
    } catch (Exception e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields, Vector<HashMap<String, ByteIterator>> result) {
    try {
      Reply r = await(cluster.client().scan(startkey, recordcount, fields(fields)));
      if (r instanceof Reply.Rows rows) {
        for (Reply.Row row : rows.rows()) {
          HashMap<String, ByteIterator> m = new HashMap<>();
          copy(row.record(), m);
          result.add(m);
        }
      }
      return Status.OK;
    } catch (Exception e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      return status(await(cluster.client().update(key, record(values))));
    } catch (Exception e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      return status(await(cluster.client().put(key, record(values))));
    } catch (Exception e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      return status(await(cluster.client().delete(key)));
    } catch (Exception e) {
      return Status.ERROR;
    }
  }
}
