package dev.raftbench.store.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Where the nodes of a cluster live: all on 127.0.0.1 ({@link ClusterMode#EMBEDDED},
 * {@link ClusterMode#PROCESSES}), or each in a Linux network namespace of its own with an address
 * of its own ({@link ClusterMode#NETNS}), so that one node can be cut off from the others while
 * the client still reaches it.
 *
 * <p>Namespaces need root and iproute2's {@code ip}. For a cluster of n nodes this makes, in the
 * client's namespace, a bridge {@code rb<tag>} holding {@code 198.18.X.1/24} (RFC 2544's range
 * for benchmarking: routed nowhere beyond this machine), and for node i a namespace
 * {@code raftbench-<pid>-<tag>-n<i>} joined to the bridge by a veth pair, its end holding
 * {@code 198.18.X.(i+1)}, with loopback up, and a permanent neighbour entry giving
 * {@code 198.18.X.254} a MAC address no interface has (the kernel here has no dummy device and no
 * netem). A node's command runs
 * inside its namespace through {@code ip netns exec}, which execs it: the process's pid is the
 * node's own, so SIGKILL and SIGSTOP reach the node.
 *
 * <p>{@link #isolate}: in the node's namespace every other node's address is routed through
 * {@code 198.18.X.254}, and the node's address likewise in every other namespace. Those frames go
 * to a MAC nobody answers to, so the packets vanish without an error, as in a real partition (TCP
 * retransmits, then times out), while the client's
 * address on the bridge stays reachable both ways. {@link #heal} deletes those routes.
 *
 * <p>{@link #close} deletes the namespaces and the bridge (a shutdown hook does too). A JVM killed
 * before it could leaves them behind: the next {@link #netns} call removes every
 * {@code raftbench-<pid>-...} namespace whose pid is gone, with its bridge.
 */
public final class NodeHosts implements AutoCloseable {
  private static final String PREFIX = "raftbench-";
  private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "raftbench-netns.lock");
  private static final String LOOPBACK = "127.0.0.1";
  /** Locally administered, and given to no interface here. */
  private static final String NOWHERE_MAC = "02:00:00:00:00:00";

  /** One per node, in node order; grows when a node joins ({@link #address}). */
  private final List<String> addresses;
  /** Empty on loopback. */
  private final List<String> namespaces;
  private final String bridge;
  private final String subnet;
  private final String tag;
  private final List<Boolean> isolated = new ArrayList<>();
  private Thread hook;
  private boolean closed;
  private volatile boolean ownsBridge;

  private NodeHosts(List<String> addresses, List<String> namespaces, String bridge, String subnet, String tag) {
    this.addresses = new ArrayList<>(addresses);
    this.namespaces = new ArrayList<>(namespaces);
    this.bridge = bridge;
    this.subnet = subnet;
    this.tag = tag;
    addresses.forEach(a -> isolated.add(false));
  }

  /** Every node on 127.0.0.1. */
  public static NodeHosts loopback(int nodes) {
    return new NodeHosts(Collections.nCopies(nodes, LOOPBACK), List.of(), null, null, null);
  }

  /** The hosts the spec's cluster mode asks for. */
  public static NodeHosts of(EngineSpec spec) throws IOException {
    return spec.cluster() == ClusterMode.NETNS ? netns(spec.nodes()) : loopback(spec.nodes());
  }

  /** Why namespaces cannot be made here (not root, no {@code ip}), or null when they can. */
  public static String unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network namespaces need root (this JVM runs as " + System.getProperty("user.name") + ")";
    }
    try {
      run(List.of("ip", "netns", "list"));
    } catch (IOException e) {
      return "network namespaces need iproute2's ip (apt-get install iproute2): " + e.getMessage();
    }
    // root without the right to make one (a container without CAP_SYS_ADMIN) fails only here
    String probe = PREFIX + ProcessHandle.current().pid() + "-probe-n0";
    try {
      run(List.of("ip", "netns", "add", probe));
      return null;
    } catch (IOException e) {
      return "this machine refuses to make a network namespace: " + e.getMessage();
    } finally {
      quietly("netns", "del", probe);
    }
  }

  /** n namespaces on a fresh bridge; undone whole if any step fails. */
  public static NodeHosts netns(int nodes) throws IOException {
    if (nodes > 250) {
      throw new EngineException("--cluster netns: at most 250 nodes (one /24), asked for " + nodes, false);
    }
    String reason = unavailableReason();
    if (reason != null) {
      throw new EngineException("--cluster netns: " + reason, false);
    }
    removeOrphans();
    // one JVM at a time picks a subnet and claims it with its bridge, so two trials never share one
    try (FileChannel lock = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = lock.lock()) {
      return netns(nodes, freeSubnet());
    }
  }

  private static NodeHosts netns(int nodes, String subnet) throws IOException {
    String tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    List<String> addresses = new ArrayList<>();
    List<String> namespaces = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      addresses.add(subnet + "." + (i + 2));
      namespaces.add(namespace(tag, i));
    }
    NodeHosts hosts = new NodeHosts(addresses, namespaces, "rb" + tag, subnet, tag);
    hosts.hook = new Thread(hosts::close, "raftbench-netns-cleanup");
    Runtime.getRuntime().addShutdownHook(hosts.hook);
    try {
      hosts.create();
      return hosts;
    } catch (IOException | RuntimeException e) {
      hosts.close();
      throw e;
    }
  }

  private static String namespace(String tag, int node) {
    return PREFIX + ProcessHandle.current().pid() + "-" + tag + "-n" + (node + 1);
  }

  private void create() throws IOException {
    ip("link", "add", bridge, "type", "bridge");
    ownsBridge = true; // from here on close deletes it: not before, in case another JVM drew the same tag
    ip("addr", "add", subnet + ".1/24", "dev", bridge);
    ip("link", "set", bridge, "up");
    for (int i = 0; i < namespaces.size(); i++) {
      plug(i);
    }
  }

  /** Node i's namespace, its veth pair on the bridge, its address, and the neighbour cut-off routes go through. */
  private void plug(int i) throws IOException {
    String ns = namespaces.get(i);
    String outside = bridge + "v" + (i + 1);
    String inside = inside(i);
    ip("netns", "add", ns);
    ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns);
    ip("link", "set", outside, "master", bridge, "up");
    ip("-n", ns, "addr", "add", addresses.get(i) + "/24", "dev", inside);
    ip("-n", ns, "link", "set", inside, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "neigh", "add", nowhere(), "lladdr", NOWHERE_MAC, "dev", inside, "nud", "permanent");
  }

  /**
   * Hosts for nodes up to and including {@code node}, for a node joining the cluster: each a new
   * namespace on the bridge with the next address, cut off from any node that is cut off now.
   */
  private void grow(int node) {
    if (closed) {
      throw new EngineException("the cluster's network is gone (closed)", false);
    }
    while (addresses.size() <= node) {
      int i = addresses.size();
      if (i >= 250) {
        throw new EngineException("--cluster netns: at most 250 nodes (one /24), node " + (i + 1) + " asked for", false);
      }
      addresses.add(subnet + "." + (i + 2));
      namespaces.add(namespace(tag, i));
      isolated.add(false);
      try {
        plug(i);
        for (int j = 0; j < i; j++) {
          if (isolated.get(j)) {
            cut(i, j);
          }
        }
      } catch (IOException e) {
        for (int j = 0; j < i; j++) { // the routes to it already made in cut-off nodes' namespaces
          if (isolated.get(j)) {
            try {
              route("del", j, i);
            } catch (IOException gone) {
              // not made yet
            }
          }
        }
        deleteNamespace(namespaces.get(i));
        addresses.remove(i);
        namespaces.remove(i);
        isolated.remove(i);
        throw new EngineException("making a network namespace for node " + (i + 1) + ": " + e.getMessage(), false);
      }
    }
  }

  /** Node i's end of its veth pair, in its namespace. */
  private String inside(int node) {
    return bridge + "p" + (node + 1);
  }

  /** The gateway of a cut-off route: an address on the bridge's subnet whose MAC no interface has. */
  private String nowhere() {
    return subnet + ".254";
  }

  public synchronized int size() {
    return addresses.size();
  }

  /**
   * The address node i listens on and its peers and clients reach it at; on loopback any node is on
   * 127.0.0.1. A node that joined after the start gets a namespace of its own here (the next free
   * address; cut off from every node that is cut off now).
   */
  public synchronized String address(int node) {
    if (!namespaced()) {
      return LOOPBACK;
    }
    grow(node);
    return addresses.get(node);
  }

  public boolean namespaced() {
    return !namespaces.isEmpty();
  }

  /** The command that runs {@code command} as node i: inside its namespace, or as it is. */
  public synchronized List<String> command(int node, List<String> command) {
    if (!namespaced()) {
      return command;
    }
    grow(node);
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespaces.get(node)));
    c.addAll(command);
    return c;
  }

  /** Cuts node i off from every other node, both ways; the client still reaches it. Undone whole if a step fails. */
  public synchronized void isolate(int node) {
    requireNamespaces();
    if (isolated.get(node)) {
      return;
    }
    try {
      for (int j = 0; j < size(); j++) {
        if (j != node) {
          cut(node, j);
        }
      }
    } catch (IOException e) {
      unroute(node);
      throw new EngineException("cutting off node " + (node + 1) + ": " + e.getMessage(), false);
    }
    isolated.set(node, true);
  }

  /** Undoes {@link #isolate}; a link to another node that is cut off itself stays cut. */
  public synchronized void heal(int node) {
    requireNamespaces();
    if (!isolated.get(node)) {
      return;
    }
    isolated.set(node, false);
    List<String> failed = unroute(node);
    if (!failed.isEmpty()) {
      throw new EngineException("reconnecting node " + (node + 1) + ": " + String.join("; ", failed), false);
    }
  }

  /** Cuts the link between nodes a and b both ways (replace, not add: the route is there already when one is cut off too). */
  private void cut(int a, int b) throws IOException {
    route("replace", a, b);
    route("replace", b, a);
  }

  /** In node {@code from}'s namespace, routes node {@code to}'s address into nowhere ("replace"), or stops doing so ("del"). */
  private void route(String verb, int from, int to) throws IOException {
    ip("-n", namespaces.get(from), "route", verb, addresses.get(to) + "/32", "via", nowhere(), "dev", inside(from));
  }

  /** Deletes the routes that cut node i off, but those another cut-off node needs; what failed. */
  private List<String> unroute(int node) {
    List<String> failed = new ArrayList<>();
    for (int j = 0; j < size(); j++) {
      if (j != node && !isolated.get(j)) {
        for (int[] way : new int[][] {{node, j}, {j, node}}) {
          try {
            route("del", way[0], way[1]);
          } catch (IOException e) {
            if (!e.getMessage().contains("No such process")) { // not there: nothing to undo
              failed.add(e.getMessage());
            }
          }
        }
      }
    }
    return failed;
  }

  public synchronized boolean isolated(int node) {
    return isolated.get(node);
  }

  private void requireNamespaces() {
    if (!namespaced()) {
      throw new IllegalStateException("nodes on 127.0.0.1 cannot be cut off from each other: that takes --cluster netns");
    }
  }

  /** What the bundle records of the network (empty on loopback). */
  public synchronized Map<String, String> settings() {
    Map<String, String> m = new TreeMap<>();
    if (namespaced()) {
      m.put("network", "a network namespace per node on bridge " + bridge + ", " + subnet + ".0/24; the client at " + subnet + ".1");
      m.put("network.addresses", String.join(",", addresses));
    }
    return m;
  }

  /** Deletes the namespaces (killing whatever still runs in them) and the bridge. */
  @Override
  public synchronized void close() {
    if (closed || !namespaced()) {
      return;
    }
    closed = true;
    for (String ns : namespaces) {
      deleteNamespace(ns);
    }
    if (ownsBridge) {
      quietly("link", "del", bridge);
    }
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to
      }
    }
  }

  private static void deleteNamespace(String ns) {
    try {
      for (String pid : run(List.of("ip", "netns", "pids", ns)).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    } catch (IOException | RuntimeException gone) {
      // no such namespace: nothing runs in it
    }
    quietly("netns", "del", ns);
  }

  /** Namespaces (and their bridges) left by a JVM that is gone. */
  private static void removeOrphans() {
    String list;
    try {
      list = run(List.of("ip", "netns", "list"));
    } catch (IOException e) {
      return;
    }
    for (String line : list.split("\n")) {
      String ns = line.strip().split("\\s+")[0];
      if (!ns.startsWith(PREFIX)) {
        continue;
      }
      String[] parts = ns.substring(PREFIX.length()).split("-");
      if (parts.length != 3) {
        continue;
      }
      long pid;
      try {
        pid = Long.parseLong(parts[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      deleteNamespace(ns);
      quietly("link", "del", "rb" + parts[1]);
    }
  }

  /** A 198.18.X.0/24 no interface here holds an address in. */
  private static String freeSubnet() throws IOException {
    String used = run(List.of("ip", "-o", "-4", "addr", "show")) + run(List.of("ip", "-4", "route", "show"));
    List<Integer> thirds = new ArrayList<>();
    for (int x = 0; x < 256; x++) {
      thirds.add(x);
    }
    Collections.shuffle(thirds);
    for (int x : thirds) {
      String s = "198.18." + x;
      if (!used.contains(s + ".")) {
        return s;
      }
    }
    throw new IOException("every 198.18.X.0/24 is in use here");
  }

  private static void ip(String... args) throws IOException {
    List<String> c = new ArrayList<>(List.of("ip"));
    c.addAll(List.of(args));
    run(c);
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (IOException ignored) {
      // already gone
    }
  }

  /** Runs a command to its end; its output, or an IOException with the output when it fails. */
  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while running " + String.join(" ", command), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out.strip());
    }
    return out;
  }
}
