package dev.raftbench.store.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** What engines share when they connect to node daemons somebody else runs ({@link ClusterMode#EXTERNAL}). */
public final class ExternalCluster {
  private static final int CONNECT_TIMEOUT_MS = 2000;
  /** How long a connecting engine waits for every shard's leader. */
  public static final java.time.Duration PATIENCE = java.time.Duration.ofSeconds(60);

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

  /** The failure of a wait of {@link #PATIENCE} for leaders, said as the user's question it raises. */
  public static EngineException leaderless(String engine, EngineSpec spec, EngineException cause) {
    return new EngineException("the " + engine + " cluster at " + String.join(", ", spec.endpoints()) + " has no leader for every shard within "
        + PATIENCE.toSeconds() + " s (" + cause.getMessage() + "): are its nodes running (harness node), with this cluster file?", false, cause);
  }
}
