package dev.raftbench.store.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node processes of a cluster whose nodes are JVMs of their own ({@code --cluster processes}
 * or {@code netns}), shared by the engines that start them: where node i listens
 * ({@link NodeHosts}: 127.0.0.1, or an address in a namespace of its own), its process (its
 * command run inside its namespace, the slow-sync library preloaded, see {@link SlowSync}), and
 * the faults done to it: freeze, cut off, slow disk. Nodes are numbered from 0 as in
 * {@link EngineSpec#layout()}.
 */
public final class NodeProcesses implements AutoCloseable {
  private final String engine;
  private final NodeHosts hosts;
  private final Map<String, String> preload;
  /** By node index; nodes that join later are added. */
  private final Map<Integer, ChildProcess> processes = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Integer, Path> dirs = new java.util.concurrent.ConcurrentHashMap<>();

  /** Makes the hosts the spec asks for and installs the slow-sync library in {@code dataDir}. */
  public NodeProcesses(String engine, EngineSpec spec, Path dataDir) throws IOException {
    this.engine = engine;
    this.hosts = NodeHosts.of(spec);
    try {
      this.preload = SlowSync.install(dataDir);
    } catch (IOException | RuntimeException e) {
      hosts.close();
      throw e;
    }
  }

  /** {@code procs}, or, when it is null (an embedded cluster), the refusal of a fault that needs node processes. */
  public static NodeProcesses require(NodeProcesses procs, String engine, Capability needed) {
    if (procs == null) {
      throw new UnsupportedCapabilityException(engine + " (embedded: its nodes share this JVM; use --cluster processes or netns)", needed);
    }
    return procs;
  }

  /** The address node i listens on. */
  public String address(int node) {
    return hosts.address(node);
  }

  /**
   * Starts node i's process on {@code command} (a restart may name other shards than the first
   * start did), unless it is running already; its log is appended to across restarts.
   */
  public synchronized ChildProcess start(int node, String name, Path dir, List<String> command) throws IOException {
    ChildProcess p = processes.get(node);
    if (p != null && p.alive()) {
      return p;
    }
    p = new ChildProcess(name, hosts.command(node, command), dir.resolve("node.log"), SlowSync.environment(preload, dir));
    processes.put(node, p);
    dirs.put(node, dir);
    p.start();
    return p;
  }

  /** Kills node i's process, if any, and forgets it (a node that failed to join). */
  public synchronized void forget(int node) {
    ChildProcess p = processes.remove(node);
    if (p != null) {
      p.kill();
    }
    dirs.remove(node);
  }


  public void pause(int node) {
    require(node).pause();
  }

  public void resume(int node) {
    require(node).resume();
  }

  public void isolate(int node) {
    if (!hosts.namespaced()) {
      throw new UnsupportedCapabilityException(engine + " (its nodes share 127.0.0.1: use --cluster netns)", Capability.PARTITION);
    }
    hosts.isolate(node);
  }

  public void rejoin(int node) {
    if (hosts.namespaced()) {
      hosts.heal(node);
    }
  }

  public void slowDisk(int node, Duration delay) {
    require(node);
    if (preload.isEmpty()) {
      throw new UnsupportedCapabilityException(engine + " (this build has no slow-sync library: gcc was not found)", Capability.SLOW_DISK);
    }
    SlowSync.set(dirs.get(node), delay);
  }

  private ChildProcess require(int node) {
    ChildProcess p = processes.get(node);
    if (p == null) {
      throw new EngineException("node " + (node + 1) + " of " + engine + " has no process", false);
    }
    return p;
  }

  /** What the bundle records: the network, and the preloaded library. */
  public Map<String, String> settings() {
    Map<String, String> m = new TreeMap<>(hosts.settings());
    if (!preload.isEmpty()) {
      m.put("node.preload", "libraftbench-slowsync.so (each fsync/fdatasync/msync first reads the node's slow-disk file: one open() a sync)");
    }
    return m;
  }

  /** Stops every node (SIGTERM to all at once, SIGKILL after 30 s), then removes the namespaces. */
  @Override
  public void close() {
    try {
      List.copyOf(processes.values()).parallelStream().forEach(p -> p.stop(30));
    } finally {
      hosts.close();
    }
  }
}
