package dev.raftbench.store.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** What engines share when they connect to node daemons somebody else runs ({@link ClusterMode#EXTERNAL}). */
public final class ExternalCluster {
  private static final int CONNECT_TIMEOUT_MS = 2000;

  private ExternalCluster() {}

  /**
   * Fails at once, naming the endpoints, when nothing accepts a TCP connection at any of them: no
   * wait for leaders that cannot come. A cluster with some nodes up goes on (a majority may serve).
   */
  public static void requireListening(String engine, EngineSpec spec) {
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < spec.nodes(); i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(spec.endpointHost(i), spec.endpointPort(i)), CONNECT_TIMEOUT_MS);
        return;
      } catch (IOException e) {
        refused.add(spec.endpoints().get(i) + " (" + e.getMessage() + ")");
      }
    }
    throw new EngineException("nothing of the " + engine + " cluster listens at " + String.join(", ", refused)
        + ": are its nodes running (harness node), with this cluster file?", false);
  }
}
