package dev.raftbench.ratis;

import dev.raftbench.store.engine.ChildProcess;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServer;

/**
 * One Ratis node as a process of its own ({@code --cluster processes}): a {@code RaftServer} on
 * 127.0.0.1 and the given port, with the same properties the embedded engine would give it. It
 * starts with no group (the engine adds them over RPC) or with those it kept on disk, writes its
 * port to {@code <dir>/port} once it listens, and exits when its parent JVM is gone (its stdin
 * closes) or on SIGTERM.
 *
 * <p>Arguments: {@code --id ID --dir DIR --port PORT --transport T --log L --fsync on|off
 * --reads R [-E key=value]...}
 */
public final class RatisNode {
  private RatisNode() {}

  /** The command line the engine launches for a node. */
  static List<String> arguments(EngineSpec spec, String id, Path dir, int port) {
    List<String> a = new ArrayList<>(List.of("--id", id, "--dir", dir.toString(), "--port", String.valueOf(port),
        "--transport", spec.transport(), "--log", spec.log().name(), "--fsync", spec.fsync() ? "on" : "off",
        "--reads", spec.reads().name()));
    spec.options().forEach((k, v) -> {
      a.add("-E");
      a.add(k + "=" + v);
    });
    return a;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = new TreeMap<>();
    Map<String, String> options = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("-E")) {
        String[] kv = args[i + 1].split("=", 2);
        options.put(kv[0], kv.length == 2 ? kv[1] : "");
      } else {
        flags.put(args[i], args[i + 1]);
      }
    }
    EngineSpec spec = new EngineSpec(1, 1, 1, "ring", flags.get("--transport"), LogStorage.parse(flags.get("--log")),
        "on".equals(flags.get("--fsync")), ReadConsistency.parse(flags.get("--reads")), null, options);
    Path dir = Path.of(flags.get("--dir"));
    RaftProperties properties = RatisEngine.configure(spec);
    RatisEngine.Node node = new RatisEngine.Node(flags.get("--id"), dir);
    node.port = Integer.parseInt(flags.get("--port"));
    RaftServer server = RatisEngine.newServer(node, properties);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "raftbench-ratis-node-shutdown"));
    ChildProcess.announceReady(dir.resolve("port"), String.valueOf(server.getServerRpc().getInetSocketAddress().getPort()));
    ChildProcess.awaitParentExit();
    System.exit(0); // the shutdown hook closes the server
  }

  private static void close(RaftServer server) {
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      System.err.println("closing the ratis server: " + e);
    }
  }
}
