package dev.raftbench.store.engine;

import java.util.Locale;

/** Where a cluster's nodes run. */
public enum ClusterMode {
  /** Every node in the client's JVM (etcd's members are child processes all the same). */
  EMBEDDED,
  /**
   * Every node a process of its own on 127.0.0.1, started and watched by the engine: a node can be
   * killed with SIGKILL and frozen with SIGSTOP ({@link Capability#PROCESSES}).
   */
  PROCESSES,
  /**
   * Every node a process of its own, each in a network namespace of its own with an address of its
   * own ({@link NodeHosts}): besides killing and freezing, a node can be cut off from its peers
   * ({@link Capability#PARTITION}). Needs root and iproute2.
   */
  NETNS,
  /**
   * Node daemons somebody else started ({@code harness node}, at the addresses of a cluster file,
   * {@link EngineSpec#endpoints()}): the engine only connects to them, and neither starts, stops
   * nor harms any node.
   */
  EXTERNAL;

  /** Whether every node is a process of its own. */
  public boolean processes() {
    return this != EMBEDDED;
  }

  /** The modes a user names on the command line ({@link #EXTERNAL} is named by its cluster file instead). */
  public static ClusterMode parse(String s) {
    for (ClusterMode m : values()) {
      if (m != EXTERNAL && m.name().equalsIgnoreCase(s)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown cluster mode '" + s + "' (known: embedded, processes, netns, or a cluster file)");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
