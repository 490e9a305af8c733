package dev.raftbench.sofajraft;

import com.alipay.sofa.jraft.conf.Configuration;
import dev.raftbench.store.engine.ChildProcess;
import dev.raftbench.store.engine.DataDir;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.NodeArguments;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One SOFAJRaft node as a process of its own ({@code --cluster processes} or {@code netns}): its
 * RPC server on the given address and port (Raft's processors and our KV processor), and a replica of each
 * shard it holds, configured as the embedded engine configures them. It writes its port to
 * {@code <dir>/port} once every replica started, and exits when its parent JVM is gone (its stdin
 * closes) or on SIGTERM. The engine starts and drops replicas on it over RPC as shards move
 * ({@link KvWire#START_REPLICA}, {@link KvWire#DROP_REPLICA}).
 *
 * <p>Arguments: {@link NodeArguments}, plus {@code --shard S=HOST:PORT,HOST:PORT,...} for each
 * shard it holds (the shard's members: its first configuration; after a restart the one in its log
 * wins).
 */
public final class SofaJRaftNode {
  private SofaJRaftNode() {}

  /** The extra arguments: {@code --shard S=HOST:PORT,...} for each shard the node holds, by its members' peer ids. */
  static List<String> shardArguments(Map<Integer, List<String>> shards) {
    List<String> a = new ArrayList<>();
    shards.forEach((s, peers) -> a.addAll(List.of("--shard", s + "=" + String.join(",", peers))));
    return a;
  }

  private static Configuration configuration(String peers) {
    Configuration conf = new Configuration();
    if (!peers.isEmpty() && !conf.parse(peers)) {
      throw new IllegalArgumentException("not a configuration: " + peers);
    }
    return conf;
  }

  public static void main(String[] args) throws Exception {
    NodeArguments a = NodeArguments.parse(args);
    EngineSpec spec = a.spec();
    SelectableRpcFactory.select(spec.transport());
    Map<String, String> engineOptions = SofaJRaftEngine.options(spec);
    Path dir = a.dir();
    SofaJRaftEngine.Server server = new SofaJRaftEngine.Server(a.id(), dir, a.host());
    server.port = a.port();
    KvProcessor.Host host = new KvProcessor.Host() {
      @Override
      public void startReplica(int shard, String configuration) throws IOException {
        SofaJRaftEngine.startReplica(server, shard, configuration(configuration), spec, engineOptions);
      }

      @Override
      public void dropReplica(int shard) {
        SofaJRaftEngine.stopReplica(server, shard);
        DataDir.deleteRecursively(server.dir.resolve("shard-" + shard));
      }
    };
    SofaJRaftEngine.startRpc(server, spec, host);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SofaJRaftEngine.stopServer(server), "raftbench-sofajraft-node-shutdown"));
    for (String shard : a.extra("--shard")) {
      String[] kv = shard.split("=", 2);
      SofaJRaftEngine.startReplica(server, Integer.parseInt(kv[0]), configuration(kv[1]), spec, engineOptions);
    }
    ChildProcess.writeWhole(dir.resolve("port"), String.valueOf(server.port));
    ChildProcess.awaitParentExit();
    System.exit(0); // the shutdown hook stops the replicas and the RPC server
  }
}
