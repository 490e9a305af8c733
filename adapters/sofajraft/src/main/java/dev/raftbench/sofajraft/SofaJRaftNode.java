package dev.raftbench.sofajraft;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import dev.raftbench.store.engine.ChildProcess;
import dev.raftbench.store.engine.DataDir;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One SOFAJRaft node as a process of its own ({@code --cluster processes}): its RPC server on
 * 127.0.0.1 and the given port (Raft's processors and our KV processor), and a replica of each
 * shard it holds, configured as the embedded engine configures them. It writes its port to
 * {@code <dir>/port} once every replica started, and exits when its parent JVM is gone (its stdin
 * closes) or on SIGTERM. The engine starts and drops replicas on it over RPC as shards move
 * ({@link KvWire#START_REPLICA}, {@link KvWire#DROP_REPLICA}).
 *
 * <p>Arguments: {@code --id ID --dir DIR --port PORT --transport T --log L --fsync on|off
 * --reads R [-E key=value]... [--shard S=PORT,PORT,...]...} (the ports of the shard's members on
 * 127.0.0.1: its first configuration; after a restart the one in its log wins).
 */
public final class SofaJRaftNode {
  private SofaJRaftNode() {}

  static List<String> arguments(EngineSpec spec, String id, Path dir, int port, Map<Integer, List<Integer>> shards) {
    List<String> a = new ArrayList<>(List.of("--id", id, "--dir", dir.toString(), "--port", String.valueOf(port),
        "--transport", spec.transport(), "--log", spec.log().name(), "--fsync", spec.fsync() ? "on" : "off",
        "--reads", spec.reads().name()));
    spec.options().forEach((k, v) -> a.addAll(List.of("-E", k + "=" + v)));
    shards.forEach((s, ports) -> a.addAll(List.of("--shard", s + "=" + String.join(",", ports.stream().map(String::valueOf).toList()))));
    return a;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = new TreeMap<>();
    Map<String, String> options = new TreeMap<>();
    Map<Integer, List<Integer>> shards = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      String[] kv = args[i + 1].split("=", 2);
      switch (args[i]) {
        case "-E" -> options.put(kv[0], kv.length == 2 ? kv[1] : "");
        case "--shard" -> shards.put(Integer.parseInt(kv[0]), List.of(kv[1].split(",")).stream().map(Integer::parseInt).toList());
        default -> flags.put(args[i], args[i + 1]);
      }
    }
    EngineSpec spec = new EngineSpec(1, 1, 1, "ring", flags.get("--transport"), LogStorage.parse(flags.get("--log")),
        "on".equals(flags.get("--fsync")), ReadConsistency.parse(flags.get("--reads")), null, options);
    SelectableRpcFactory.select(spec.transport());
    Map<String, String> engineOptions = SofaJRaftEngine.options(spec);
    Path dir = Path.of(flags.get("--dir"));
    SofaJRaftEngine.Server server = new SofaJRaftEngine.Server(flags.get("--id"), dir);
    server.port = Integer.parseInt(flags.get("--port"));
    KvProcessor.Host host = new KvProcessor.Host() {
      @Override
      public void startReplica(int shard, String configuration) throws IOException {
        Configuration conf = new Configuration();
        if (!configuration.isEmpty() && !conf.parse(configuration)) {
          throw new IllegalArgumentException("not a configuration: " + configuration);
        }
        SofaJRaftEngine.startReplica(server, shard, conf, spec, engineOptions);
      }

      @Override
      public void dropReplica(int shard) {
        SofaJRaftEngine.stopReplica(server, shard);
        DataDir.deleteRecursively(server.dir.resolve("shard-" + shard));
      }
    };
    SofaJRaftEngine.startRpc(server, spec, host);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SofaJRaftEngine.stopServer(server), "raftbench-sofajraft-node-shutdown"));
    for (Map.Entry<Integer, List<Integer>> shard : shards.entrySet()) {
      Configuration conf = new Configuration();
      for (int port : shard.getValue()) {
        conf.addPeer(new PeerId("127.0.0.1", port));
      }
      SofaJRaftEngine.startReplica(server, shard.getKey(), conf, spec, engineOptions);
    }
    ChildProcess.announceReady(dir.resolve("port"), String.valueOf(server.port));
    ChildProcess.awaitParentExit();
    System.exit(0); // the shutdown hook stops the replicas and the RPC server
  }
}
