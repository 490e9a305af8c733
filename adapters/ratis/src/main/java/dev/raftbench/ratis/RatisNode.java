package dev.raftbench.ratis;

import dev.raftbench.store.engine.ChildProcess;
import dev.raftbench.store.engine.NodeArguments;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServer;

/**
 * One Ratis node as a process of its own ({@code --cluster processes}): a {@code RaftServer} on
 * the given address and port, with the same properties the embedded engine would give it. It
 * starts with no group (the engine adds them over RPC) or with those it kept on disk, writes its
 * port to {@code <dir>/port} once it listens, and exits when its parent JVM is gone (its stdin
 * closes) or on SIGTERM.
 *
 * <p>Arguments: {@link NodeArguments}.
 */
public final class RatisNode {
  private RatisNode() {}

  public static void main(String[] args) throws Exception {
    NodeArguments a = NodeArguments.parse(args);
    Path dir = a.dir();
    RaftProperties properties = RatisEngine.configure(a.spec());
    RatisEngine.Node node = new RatisEngine.Node(a.id(), dir, a.host());
    node.port = a.port();
    RaftServer server = RatisEngine.newServer(node, properties);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "raftbench-ratis-node-shutdown"));
    ChildProcess.writeWhole(dir.resolve("port"), String.valueOf(server.getServerRpc().getInetSocketAddress().getPort()));
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
