package dev.raftbench.ratis;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.ChildProcess;
import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.DataDir;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.ExternalCluster;
import dev.raftbench.store.engine.FreePorts;
import dev.raftbench.store.engine.LeaderWait;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.NodeArguments;
import dev.raftbench.store.engine.NodeProcesses;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.engine.ShardEpochs;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Ratis cluster: N servers, S Raft groups (one per shard) each on the k servers its placement
 * names, the first of them its preferred leader, and one async client per group. Embedded, the
 * servers live in this JVM on 127.0.0.1 (ports chosen by the OS); with {@code --cluster
 * processes}, each is a JVM of its own ({@link RatisNode}, on 127.0.0.1 and a port picked here)
 * that this engine starts, kills (SIGKILL), freezes (SIGSTOP), slows the disk of and manages over
 * Ratis' admin RPCs; with {@code --cluster netns}, each such JVM also runs in a network namespace
 * of its own on an address of its own, and can be cut off from its peers ({@link NodeProcesses}).
 */
final class RatisEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(RatisEngine.class);
  private static final long GROUP_ID_PREFIX = 0x5261667442656e63L; // "RaftBenc"
  static final String LOOPBACK = "127.0.0.1";

  /** Defaults for a loaded 2-core machine; any of them can be overridden with -E. */
  static final Map<String, String> DEFAULTS = Map.ofEntries(
      // Ratis' own 150-300 ms make leaders churn under load on 2 cores
      Map.entry(RaftServerConfigKeys.Rpc.TIMEOUT_MIN_KEY, "2000ms"),
      Map.entry(RaftServerConfigKeys.Rpc.TIMEOUT_MAX_KEY, "4000ms"),
      Map.entry(RaftServerConfigKeys.Rpc.FIRST_ELECTION_TIMEOUT_MIN_KEY, "300ms"),
      Map.entry(RaftServerConfigKeys.Rpc.FIRST_ELECTION_TIMEOUT_MAX_KEY, "1200ms"),
      Map.entry(RaftServerConfigKeys.Rpc.REQUEST_TIMEOUT_KEY, "5000ms"),
      // compact: snapshot every 10k entries per group and purge the log behind it (the memory log
      // would otherwise hold every entry of a run)
      Map.entry(RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_ENABLED_KEY, "true"),
      Map.entry(RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_THRESHOLD_KEY, "10000"),
      Map.entry(RaftServerConfigKeys.Snapshot.RETENTION_FILE_NUM_KEY, "2"),
      Map.entry(RaftServerConfigKeys.Log.PURGE_UPTO_SNAPSHOT_INDEX_KEY, "true"),
      Map.entry(RaftClientConfigKeys.Rpc.REQUEST_TIMEOUT_KEY, "10000ms"),
      Map.entry(RaftClientConfigKeys.Async.OUTSTANDING_REQUESTS_MAX_KEY, "1000"));

  private final EngineSpec spec;
  /** Each shard's replica nodes, preferred leader first: computed once from the spec. */
  private final List<List<Integer>> layout;
  private final DataDir dataDir;
  private final RaftProperties properties;
  /** Every node the cluster has had, in order of their ids; nodes join while clients read it. */
  private final List<Node> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Nodes that left the cluster ({@link #removeNode}). */
  private final java.util.Set<String> removed = ConcurrentHashMap.newKeySet();
  private final RaftGroup[] groups;
  private final RaftClient[] clients;
  /** Guards installing a shard's client ({@link #replaceGroup}) against {@link #close}. */
  private final Object clientsLock = new Object();
  private final ShardEpochs epochs;
  private final ExecutorService diagnostics = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raftbench-ratis-diagnostics");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong callIds = new AtomicLong();
  /**
   * Ratis 3.3.0 sends a follower the commit index only with new entries or with the periodic
   * heartbeat (every rpc.timeout.min / 2: 1 s here): a heartbeat a ReadIndex read triggers is not
   * sent while there is no entry to append (LogAppenderBase.newAppendEntriesRequest returns null).
   * A linearizable read just after a write therefore often waited, at low load, until the next
   * heartbeat, up to a second, for the followers to acknowledge the write's commit index (Ratis'
   * own commit-index entry usually goes out before the read asks, and an acknowledgement of an
   * append sent before the read does not count): workload A with one worker made 9 operations a
   * second, a quarter of its reads taking 1 s. A read still unanswered after this long makes the
   * adapter append a no-op (an epoch entry of epoch 0, which changes nothing), whose append carries
   * the commit index; one at a time per shard. 0 turns it off.
   */
  static final String NUDGE_OPTION = "raftbench.read.nudge.ms";
  private static final long NUDGE_DEFAULT_MS = 20;
  private static final byte[] NO_OP = Codec.encodeEpoch(0);
  private final long nudgeMillis;
  private final java.util.concurrent.atomic.AtomicIntegerArray nudging;
  private final AtomicLong nudges = new AtomicLong();
  private final java.util.concurrent.ScheduledExecutorService nudger = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "raftbench-ratis-read-nudger");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong staleReads = new AtomicLong();
  /** Nodes as processes of their own: groups are added and asked about over RPC, through this client. */
  private final boolean processes;
  /** Node daemons somebody else runs ({@code harness node}): only connected to, never started or stopped. */
  private final boolean external;
  /** The node processes, their hosts and faults; null when embedded. */
  private volatile NodeProcesses procs;
  private volatile RaftClient admin;
  /** Clients replaced by a membership change, closed a little later. */
  private final java.util.Set<RaftClient> retired = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** One server: its identity and disk survive a stop; the RaftServer does not. */
  static final class Node {
    final RaftPeerId id;
    final Path dir;
    /** The address it listens on: 127.0.0.1, or its own in a namespace. */
    final String host;
    volatile int port;
    volatile RaftServer server;
    /** The node's JVM ({@code --cluster processes}); null when embedded. */
    volatile ChildProcess process;
    final Map<RaftGroupId, ShardStateMachine> machines = new ConcurrentHashMap<>();

    Node(String id, Path dir, String host) {
      this.id = RaftPeerId.valueOf(id);
      this.dir = dir;
      this.host = host;
    }
  }

  private RatisEngine(EngineSpec spec) throws IOException {
    this.spec = spec;
    this.layout = spec.layout();
    this.groups = new RaftGroup[spec.shards()];
    this.clients = new RaftClient[spec.shards()];
    this.epochs = new ShardEpochs(spec.shards());
    this.properties = configure(spec); // refuses bad options before anything is created
    this.nudgeMillis = nudgeMillis(spec);
    this.nudging = new java.util.concurrent.atomic.AtomicIntegerArray(spec.shards());
    this.processes = spec.cluster().processes();
    this.external = spec.cluster() == ClusterMode.EXTERNAL;
    this.dataDir = DataDir.of(spec, "ratis");
  }

  static RatisEngine start(EngineSpec spec) throws IOException, InterruptedException {
    RatisEngine engine = new RatisEngine(spec);
    try {
      engine.boot();
      return engine;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      engine.close();
      throw e;
    }
  }

  /** The servers' and clients' properties for the spec; refuses what Ratis cannot do with it. */
  static RaftProperties configure(EngineSpec spec) {
    RaftProperties properties = new RaftProperties();
    SupportedRpcType rpc = switch (spec.transport()) {
      case "grpc" -> SupportedRpcType.GRPC;
      case "netty" -> SupportedRpcType.NETTY;
      default -> throw new IllegalArgumentException("unknown transport '" + spec.transport() + "' for engine ratis (known: grpc, netty)");
    };
    RaftConfigKeys.Rpc.setType(properties, rpc);
    DEFAULTS.forEach(properties::set);
    RaftServerConfigKeys.Log.setUseMemory(properties, spec.log() == LogStorage.MEMORY);
    if (spec.log() == LogStorage.MEMORY) {
      // MemoryRaftLog (shipped by Ratis for tests) addresses entries by list position, so after a
      // purge it hands out the wrong entries and replication stalls: never snapshot and purge it
      properties.set(RaftServerConfigKeys.Snapshot.AUTO_TRIGGER_ENABLED_KEY, "false");
      properties.set(RaftServerConfigKeys.Snapshot.TRIGGER_WHEN_STOP_ENABLED_KEY, "false");
    }
    // Ratis cannot skip the force; the closest it has acknowledges before the force completes
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(properties, !spec.fsync());
    if (spec.reads() == ReadConsistency.STALE) {
      RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.DEFAULT);
    } else {
      RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
      RaftServerConfigKeys.Read.setLeaderLeaseEnabled(properties, spec.reads() == ReadConsistency.LEASE);
    }
    for (Map.Entry<String, String> option : spec.options().entrySet()) {
      if (option.getKey().equals(NUDGE_OPTION)) {
        nudgeMillis(spec); // checked here, used by the engine
        continue;
      }
      if (!option.getKey().startsWith("raft.")) {
        throw new IllegalArgumentException("unknown ratis option '" + option.getKey()
            + "' (ratis options are Ratis property keys, e.g. -E raft.server.rpc.timeout.min=1s, and " + NUDGE_OPTION + ")");
      }
      properties.set(option.getKey(), option.getValue());
    }
    if (spec.log() == LogStorage.MEMORY && RaftServerConfigKeys.Snapshot.autoTriggerEnabled(properties)) {
      throw new IllegalArgumentException("ratis with --log memory cannot take snapshots: its MemoryRaftLog breaks"
          + " replication once purged; use --log disk");
    }    return properties;
  }

  private void boot() throws IOException, InterruptedException {
    if (external) {
      connect();
      return;
    }
    int[] ports = processes ? FreePorts.pick(spec.nodes()) : new int[spec.nodes()];
    if (processes) {
      procs = new NodeProcesses(name(), spec, dataDir.path());
    }
    for (int i = 1; i <= spec.nodes(); i++) {
      Node node = new Node("n" + i, dataDir.path().resolve("n" + i), processes ? procs.address(i - 1) : LOOPBACK);
      Files.createDirectories(node.dir);
      node.port = ports[i - 1];
      nodes.add(node);
    }
    if (processes) {
      // the JVMs start together (each takes a second or two), then each is waited for
      for (Node node : nodes) {
        launch(node);
      }
      for (Node node : nodes) {
        node.process.awaitReady(node.dir.resolve("port"), Duration.ofSeconds(120));
      }
      admin = newAdmin();
    } else {
      for (Node node : nodes) {
        startServer(node);
      }
    }
    for (int s = 0; s < spec.shards(); s++) {
      groups[s] = group(s, layout.get(s), nodes);
      for (int member : layout.get(s)) {
        Node node = nodes.get(member);
        RaftClientReply reply = addGroup(node, groups[s]);
        if (!reply.isSuccess()) {
          throw new IOException("adding group of shard " + s + " to " + node.id + " failed: " + reply.getException());
        }
      }
      clients[s] = newClient(groups[s]);
    }
    awaitLeaders(Duration.ofSeconds(120));
  }

  /** The shard's group: its members as placed, the first (the preferred leader) with the higher priority. */
  private static RaftGroup group(int shard, List<Integer> placed, List<Node> nodes) {
    List<RaftPeer> peers = new ArrayList<>();
    for (int j = 0; j < placed.size(); j++) {
      // the placement's first node is the preferred leader: priority spreads leaders as placed
      peers.add(peer(nodes.get(placed.get(j)), j == 0 ? 1 : 0));
    }
    return RaftGroup.valueOf(RaftGroupId.valueOf(new UUID(GROUP_ID_PREFIX, shard)), peers);
  }

  /** The nodes of an external cluster, at its endpoints (their directories are the daemons' business). */
  private static List<Node> endpointNodes(EngineSpec spec, Path dir) {
    List<Node> list = new ArrayList<>();
    for (int i = 0; i < spec.nodes(); i++) {
      Node node = new Node("n" + (i + 1), dir.resolve("n" + (i + 1)), spec.endpointHost(i));
      node.port = spec.endpointPort(i);
      list.add(node);
    }
    return list;
  }

  /** An external cluster: the daemons made their groups themselves; clients to them, then wait for leaders. */
  private void connect() throws InterruptedException {
    ExternalCluster.requireListening(name(), spec);
    nodes.addAll(endpointNodes(spec, dataDir.path()));
    admin = newAdmin();
    for (int s = 0; s < spec.shards(); s++) {
      groups[s] = group(s, layout.get(s), nodes);
      clients[s] = newClient(groups[s]);
    }
    try {
      awaitLeaders(ExternalCluster.PATIENCE);
    } catch (EngineException e) {
      throw ExternalCluster.leaderless(name(), spec, e);
    }
  }

  /**
   * Node {@code index} of an external cluster, as a daemon in this JVM ({@code harness node}): its
   * server on its endpoint with the spec's properties, recovering the groups it kept in {@code dir},
   * and adding, with no entries yet, each group the layout gives it that it does not have.
   */
  static AutoCloseable serve(EngineSpec spec, int index, Path dir) throws IOException {
    RaftProperties properties = configure(spec);
    List<Node> all = endpointNodes(spec, dir); // for their addresses: the other daemons keep their own directories
    Node node = new Node("n" + (index + 1), dir, spec.endpointHost(index));
    node.port = spec.endpointPort(index);
    Files.createDirectories(dir);
    RaftServer server = newServer(node, properties);
    try {
      server.start();
      List<List<Integer>> placed = spec.layout();
      for (int s = 0; s < spec.shards(); s++) {
        if (!placed.get(s).contains(index)) {
          continue;
        }
        RaftGroup group = group(s, placed.get(s), all);
        boolean kept = false;
        for (RaftGroupId id : server.getGroupIds()) {
          kept |= id.equals(group.getGroupId());
        }
        if (!kept) {
          RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(), node.id, s + 1L, group));
          if (!reply.isSuccess()) {
            throw new IOException("adding the group of shard " + s + " to " + node.id + " failed: " + reply.getException());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(server);
      throw e;
    }
    return () -> closeQuietly(server);
  }

  /** The client the engine asks nodes over (group management, roles): it must know every node's address. */
  private RaftClient newAdmin() {
    return RaftClient.newBuilder().setProperties(properties)
        .setRaftGroup(RaftGroup.valueOf(RaftGroupId.randomId(), nodes.stream().map(n -> peer(n, 0)).toList()))
        .setClientId(ClientId.randomId()).setRetryPolicy(RetryPolicies.noRetry()).build();
  }

  private RaftClient newClient(RaftGroup group) {
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setRaftGroup(group)
        .setClientId(ClientId.randomId())
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  /** A server for the node (not started): its directory, its port (0 = any), one state machine per group. */
  static RaftServer newServer(Node node, RaftProperties properties) throws IOException {
    RaftProperties p = new RaftProperties(properties);
    RaftServerConfigKeys.setStorageDir(p, List.of(node.dir.toFile()));
    GrpcConfigKeys.Server.setHost(p, node.host);
    GrpcConfigKeys.Server.setPort(p, node.port);
    NettyConfigKeys.Server.setHost(p, node.host);
    NettyConfigKeys.Server.setPort(p, node.port);
    node.machines.clear();
    // a new machine each time: a group removed from the node and added again later must not get
    // the old, closed one back
    StateMachine.Registry registry = groupId -> {
      ShardStateMachine m = new ShardStateMachine();
      node.machines.put(groupId, m);
      return m;
    };
    return RaftServer.newBuilder()
        .setServerId(node.id)
        .setProperties(p)
        .setStateMachineRegistry(registry)
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
  }

  /** Starts the node's JVM on its port; then wait for its port file. */
  private void launch(Node node) throws IOException {
    Files.deleteIfExists(node.dir.resolve("port"));
    List<String> jvm = List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError",
        // ShardStateMachine says at INFO when it installs a leader's snapshot (tests read it in node.log)
        "-Dorg.slf4j.simpleLogger.log.dev.raftbench=info");
    node.process = procs.start(nodes.indexOf(node), "ratis node " + node.id, node.dir, ChildProcess.javaCommand(jvm,
        RatisNode.class.getName(), NodeArguments.of(spec, node.id.toString(), node.dir, node.host, node.port, List.of())));
  }

  private boolean running(Node node) {
    return external || (processes ? node.process != null && node.process.alive() : node.server != null);
  }

  /** Tells the node to host the group (with no entries yet: the leader sends them). */
  private RaftClientReply addGroup(Node node, RaftGroup group) throws IOException {
    return processes ? admin.getGroupManagementApi(node.id).add(group)
        : node.server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(), node.id, callIds.incrementAndGet(), group));
  }

  /** Makes the node drop the group and delete its replica. */
  private RaftClientReply removeGroup(Node node, RaftGroupId group) throws IOException {
    return processes ? admin.getGroupManagementApi(node.id).remove(group, true, false)
        : node.server.groupManagement(GroupManagementRequest.newRemove(ClientId.randomId(), node.id, callIds.incrementAndGet(), group, true, false));
  }

  private void startServer(Node node) throws IOException {
    RaftServer server = newServer(node, properties);
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      closeQuietly(server);
      throw e;
    }
    node.port = server.getServerRpc().getInetSocketAddress().getPort();
    node.server = server;
  }

  private static RaftPeer peer(Node node, int priority) {
    String address = node.host + ":" + node.port;
    return RaftPeer.newBuilder().setId(node.id).setAddress(address).setClientAddress(address)
        .setAdminAddress(address).setPriority(priority).build();
  }

  /** Every shard has a leader ready to serve; then, briefly, let leaders move to their preferred node. */
  private void awaitLeaders(Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    LeaderWait.anyLeader(this, deadline, patience);
    List<String> preferred = layout.stream().map(l -> nodes.get(l.get(0)).id.toString()).toList();
    LeaderWait.preferredLeaders(this, preferred, Math.min(deadline, System.nanoTime() + Duration.ofSeconds(15).toNanos()));
    LeaderWait.anyLeader(this, deadline, patience);
  }

  @Override
  public String name() {
    return "ratis";
  }

  @Override
  public int shards() {
    return groups.length;
  }

  @Override
  public List<String> nodes() {
    return nodes.stream().map(n -> n.id.toString()).filter(id -> !removed.contains(id)).toList();
  }

  @Override
  public synchronized String addNode() {
    if (closed) {
      throw new EngineException("ratis cluster is closed", false);
    }
    int i = nodes.size() + 1;
    Node node = new Node("n" + i, dataDir.path().resolve("n" + i), processes ? procs.address(i - 1) : LOOPBACK);
    try {
      Files.createDirectories(node.dir);
      if (processes) {
        node.port = FreePorts.pick(1)[0];
        nodes.add(node);
        launch(node);
        node.process.awaitReady(node.dir.resolve("port"), Duration.ofSeconds(120));
        RaftClient old = admin;
        admin = newAdmin(); // knows the newcomer's address
        retire(old);
      } else {
        startServer(node);
        nodes.add(node);
      }
      return node.id.toString();
    } catch (InterruptedException | IOException | RuntimeException e) {
      // not a node of the cluster: nothing left running, nothing listed
      if (processes) {
        procs.forget(i - 1);
      }
      nodes.remove(node);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof RuntimeException r ? r : new EngineException("starting node n" + i + " failed: " + e.getMessage(), false, e);
    }
  }

  @Override
  public synchronized void removeNode(String nodeId) {
    Node node = node(nodeId);
    for (int s = 0; s < groups.length; s++) {
      if (groups[s].getPeer(node.id) != null) {
        throw new IllegalStateException("node " + nodeId + " still holds a replica of shard " + s + ": move it first");
      }
    }
    removed.add(nodeId);
    if (processes) {
      node.process.stop(30);
    } else {
      RaftServer server = node.server;
      node.server = null;
      if (server != null) {
        closeQuietly(server);
      }
    }
    DataDir.deleteRecursively(node.dir);
  }

  @Override
  public long epoch(int shard) {
    return epochs.get(shard);
  }

  @Override
  public CompletableFuture<Reply> write(int shard, Command.Write write) {
    return write(shard, epochs.get(shard), write);
  }

  @Override
  public CompletableFuture<Reply> write(int shard, long epoch, Command.Write write) {
    return send(shard, write, epoch, (client, message) -> client.async().send(message));
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    return read(shard, epochs.get(shard), read);
  }

  @Override
  public CompletableFuture<Reply> read(int shard, long epoch, Command.Read read) {
    if (spec.reads() == ReadConsistency.STALE) {
      // any replica, in turn, from its own applied state: a follower may not have applied the last
      // acknowledged write yet, so these reads are not linearizable (the checker shows it)
      RaftGroup group = groups[shard]; // once: a membership change may replace it meanwhile
      java.util.Iterator<RaftPeer> peers = group.getPeers().iterator();
      for (int skip = Math.floorMod(staleReads.getAndIncrement(), group.getPeers().size()); skip > 0; skip--) {
        peers.next();
      }
      RaftPeerId replica = peers.next().getId();
      // the blocking call: the async stale read took 10 s and more per request here (3.3.0, gRPC)
      return readAt(replica.toString(), shard, read);
    }
    CompletableFuture<Reply> reply = send(shard, read, epoch, (client, message) -> client.async().sendReadOnly(message));
    if (nudgeMillis > 0 && spec.reads() == ReadConsistency.LINEARIZABLE && !reply.isDone() && !closed) {
      try {
        nudger.schedule(() -> {
          if (!reply.isDone()) {
            nudge(shard);
          }
        }, nudgeMillis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // the engine is closing: the read is answered or failed without help
      }
    }
    return reply;
  }

  /** Appends a no-op to the shard (see {@link #NUDGE_OPTION}), unless one is on its way. */
  private void nudge(int shard) {
    if (closed || !nudging.compareAndSet(shard, 0, 1)) {
      return;
    }
    nudges.incrementAndGet();
    // the blocking API, on a pool thread: not the workload's ordered async window, where a no-op
    // retried against a leader that died would hold back the replies sent after it
    RaftClient client = clients[shard];
    try {
      diagnostics.execute(() -> {
        try {
          client.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(NO_OP)));
        } catch (IOException | RuntimeException e) {
          LOG.debug("shard {}: no-op for a waiting read failed: {}", shard, e.toString());
        } finally {
          nudging.set(shard, 0);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      nudging.set(shard, 0);
    }
  }

  static long nudgeMillis(EngineSpec spec) {
    String v = spec.options().get(NUDGE_OPTION);
    if (v == null) {
      return NUDGE_DEFAULT_MS;
    }
    try {
      long ms = Long.parseLong(v.trim());
      if (ms >= 0) {
        return ms;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("-E " + NUDGE_OPTION + " takes milliseconds, 0 or more (0: off), was '" + v + "'");
  }

  @Override
  public CompletableFuture<Reply> readAt(String nodeId, int shard, Command.Read read) {
    Node node = node(nodeId);
    // the blocking API: Ratis' netty transport has no async path to a follower
    return send(shard, read, Codec.Entry.UNROUTED, (client, message) -> CompletableFuture.supplyAsync(() -> {
      if (!running(node)) {
        throw new EngineException("node " + nodeId + " is stopped", true);
      }
      try {
        return client.io().sendStaleRead(message, 0, node.id);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, diagnostics));
  }

  /** Encodes the command, sends it, decodes the reply; failures become EngineException or IllegalArgumentException. */
  private CompletableFuture<Reply> send(int shard, Command command, long epoch,
      BiFunction<RaftClient, Message, CompletableFuture<RaftClientReply>> call) {
    byte[] encoded;
    try {
      encoded = Codec.encode(command, epoch);
    } catch (RuntimeException e) { // e.g. an oversized command
      return CompletableFuture.failedFuture(failure(shard, e));
    }
    return send(shard, encoded, call);
  }

  private CompletableFuture<Reply> send(int shard, byte[] encoded, BiFunction<RaftClient, Message, CompletableFuture<RaftClientReply>> call) {
    if (closed) {
      return CompletableFuture.failedFuture(new EngineException("ratis cluster is closed", false));
    }
    CompletableFuture<RaftClientReply> sent;
    RaftClient client = clients[shard];
    try {
      Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(encoded));
      sent = call.apply(client, message);
    } catch (RuntimeException e) {
      renewIfClosed(shard, client, e);
      return CompletableFuture.failedFuture(failure(shard, e));
    }
    return sent.handle((reply, error) -> {
      if (error != null) {
        renewIfClosed(shard, client, error);
        throw failure(shard, error);
      }
      if (!reply.isSuccess()) {
        throw failure(shard, reply.getException());
      }
      return Codec.decodeReply(reply.getMessage().getContent().asReadOnlyByteBuffer());
    });
  }

  /**
   * Once one request of Ratis' ordered async client runs out of retries, the client closes its
   * sliding window and refuses every later request (AlreadyClosedException), for good: seen after
   * a leader was killed and restarted. The shard then gets a fresh client (fresh connections too);
   * the caller's retry goes through it.
   */
  private void renewIfClosed(int shard, RaftClient failed, Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AlreadyClosedException) {
        // not the engine's lock: a membership change holds that while it waits for requests, whose replies come through here
        synchronized (clientsLock) {
          if (!closed && clients[shard] == failed) {
            LOG.info("shard {}: the ratis client closed itself ({}); starting a new one", shard, t.getMessage());
            replaceGroup(shard, groups[shard]);
          }
        }
        return;
      }
    }
  }

  private RuntimeException failure(int shard, Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof UncheckedIOException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof EngineException e) {
      return e;
    }
    if (t instanceof IllegalArgumentException refused) { // e.g. an oversized command: never retried
      return refused;
    }
    if (t instanceof StateMachineException sme) {
      // the state machine refused the command: the same answer on every replica, every time
      return sme.getCause() instanceof IllegalArgumentException iae ? iae
          : new IllegalArgumentException("shard " + shard + " refused the command: " + sme.getMessage(), sme);
    }
    if (closed) {
      return new EngineException("ratis cluster is closed", false, t);
    }
    return new EngineException("shard " + shard + ": " + t, true, t);
  }

  @Override
  public Optional<String> leader(int shard) {
    RaftGroupId gid = groups[shard] == null ? null : groups[shard].getGroupId();
    if (gid == null) {
      return Optional.empty();
    }
    if (processes) {
      return leaderOverRpc(gid);
    }
    for (Node node : nodes) {
      RaftServer server = node.server;
      if (server == null) {
        continue;
      }
      try {
        var info = server.getDivision(gid).getInfo();
        if (info.isLeader() && info.isLeaderReady()) {
          return Optional.of(node.id.toString());
        }
      } catch (IOException | RuntimeException notHere) {
        // group not (yet) on this server, or server closing
      }
    }
    return Optional.empty();
  }

  /**
   * Every live node is asked at once what it is in the group; a frozen node cannot answer, so
   * none is waited for more than 3 s.
   */
  private Optional<String> leaderOverRpc(RaftGroupId gid) {
    List<CompletableFuture<Optional<String>>> asked = new ArrayList<>();
    for (Node node : nodes) {
      if (!running(node)) {
        continue;
      }
      asked.add(CompletableFuture.supplyAsync(() -> {
        try {
          var info = admin.getGroupManagementApi(node.id).info(gid);
          return info.isSuccess() && info.getRoleInfoProto().getRole() == org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER
              ? Optional.of(node.id.toString()) : Optional.<String>empty();
        } catch (IOException | RuntimeException notHere) {
          return Optional.<String>empty();
        }
      }, diagnostics));
    }
    for (CompletableFuture<Optional<String>> f : asked) {
      try {
        Optional<String> l = f.get(3, TimeUnit.SECONDS);
        if (l.isPresent()) {
          return l;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException silent) {
        // a node that does not answer leads nothing we can use
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return Optional.empty();
  }

  @Override
  public List<String> members(int shard) {
    return groups[shard].getPeers().stream().map(p -> p.getId().toString()).sorted().toList();
  }

  @Override
  public void stopNode(String nodeId) {
    if (external) {
      throw new UnsupportedCapabilityException(name() + " (its nodes are daemons this trial did not start)", Capability.NODE_STOP_START);
    }
    Node node = node(nodeId);
    if (processes) {
      node.process.kill(); // SIGKILL: what the node had not forced to disk is gone
      return;
    }
    RaftServer server = node.server;
    node.server = null;
    if (server != null) {
      closeQuietly(server);
    }
  }

  @Override
  public void startNode(String nodeId) {
    if (spec.log() == LogStorage.MEMORY) {
      // it would come back with its term and vote but no log, and could help elect a leader that
      // lacks acknowledged entries: Raft's safety needs the log to survive the restart
      throw new EngineException("restarting a node needs --log disk: a memory-log node restarts with an empty log", false);
    }
    Node node = node(nodeId);
    if (running(node)) {
      return;
    }
    try {
      if (processes) {
        launch(node); // same port and directory: it recovers its groups from disk
        node.process.awaitReady(node.dir.resolve("port"), Duration.ofSeconds(120));
      } else {
        startServer(node);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted while restarting " + nodeId, false, e);
    } catch (IOException e) {
      throw new EngineException("restarting " + nodeId + " failed: " + e.getMessage(), false, e);
    }
  }

  @Override
  public void pauseNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.NODE_PAUSE).pause(nodes.indexOf(node(nodeId)));
  }

  @Override
  public void resumeNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.NODE_PAUSE).resume(nodes.indexOf(node(nodeId)));
  }

  @Override
  public void isolateNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.PARTITION).isolate(nodes.indexOf(node(nodeId)));
  }

  @Override
  public void rejoinNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.PARTITION).rejoin(nodes.indexOf(node(nodeId)));
  }

  @Override
  public void slowDisk(String nodeId, Duration delay) {
    NodeProcesses.require(procs, name(), Capability.SLOW_DISK).slowDisk(nodes.indexOf(node(nodeId)), delay);
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> settings = new java.util.LinkedHashMap<>(procs == null ? Map.of() : procs.settings());
    settings.put(NUDGE_OPTION, spec.reads() != ReadConsistency.LINEARIZABLE ? "off (reads are not ReadIndex reads)"
        : nudgeMillis == 0 ? "off" : nudgeMillis + " (a no-op appended for a read unanswered after " + nudgeMillis + " ms)");
    return settings;
  }

  @Override
  public synchronized void addMember(int shard, String nodeId) {
    Node node = node(nodeId);
    if (!running(node)) {
      throw new EngineException("node " + nodeId + " is stopped", false);
    }
    RaftGroup old = groups[shard];
    if (old.getPeer(node.id) != null) {
      throw new IllegalArgumentException("node " + nodeId + " already holds shard " + shard);
    }
    List<RaftPeer> peers = new ArrayList<>(old.getPeers());
    peers.add(peer(node, 0));
    RaftGroup next = RaftGroup.valueOf(old.getGroupId(), peers);
    // the new server must know the group before the leader sends it entries or a snapshot; it is
    // given the old configuration, without itself, so that it starts "initializing": it waits for
    // the leader's entries instead of standing for election. Given the new one, it would campaign
    // once its first election timeout passed (0.3-1.2 s), hear from the members that it is not in
    // their configuration, and shut its replica down; the leader, staging the change, would then
    // wait for a closed replica to catch up until the change timed out (seen when the request
    // reached the leader 3 s late, after a leadership transfer).
    check("adding shard " + shard + " to " + nodeId, () -> addGroup(node, old));
    try {
      reconfigure("adding " + nodeId + " to shard " + shard, shard, peers);
    } catch (EngineException e) {
      try { // not a member: no replica left behind
        removeGroup(node, old.getGroupId());
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    replaceGroup(shard, next);
    advanceEpoch(shard);
  }

  /** The shard's membership changed: a new epoch, committed to its log (commands routed before it are refused). */
  private void advanceEpoch(int shard) {
    epochs.advance(shard, entry -> send(shard, entry, (client, message) -> client.async().send(message)));
  }

  @Override
  public synchronized void removeMember(int shard, String nodeId) {
    Node node = node(nodeId);
    RaftGroup old = groups[shard];
    if (old.getPeer(node.id) == null) {
      throw new IllegalArgumentException("node " + nodeId + " does not hold shard " + shard);
    }
    List<RaftPeer> peers = old.getPeers().stream().filter(p -> !p.getId().equals(node.id)).toList();
    reconfigure("removing " + nodeId + " from shard " + shard, shard, peers);
    replaceGroup(shard, RaftGroup.valueOf(old.getGroupId(), peers));
    advanceEpoch(shard);
    if (running(node)) {
      check("dropping shard " + shard + " on " + nodeId, () -> removeGroup(node, old.getGroupId()));
    }
  }

  /** The group's directory under the node's storage dir (log and snapshots); empty with a memory log. */
  @Override
  public java.util.OptionalLong replicaBytes(String nodeId, int shard) {
    if (spec.log() == LogStorage.MEMORY) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(DataDir.bytes(node(nodeId).dir.resolve(groups[shard].getGroupId().getUuid().toString())));
  }

  /**
   * Gives the target the highest priority first (a Ratis leader yields to a higher-priority peer
   * that caught up, so leadership would otherwise drift back), then asks for the transfer.
   */
  @Override
  public synchronized void transferLeadership(int shard, String nodeId) {
    Node target = node(nodeId);
    RaftGroup old = groups[shard];
    if (old.getPeer(target.id) == null) {
      throw new IllegalArgumentException("node " + nodeId + " does not hold shard " + shard);
    }
    List<RaftPeer> peers = old.getPeers().stream()
        .map(p -> RaftPeer.newBuilder(p).setPriority(p.getId().equals(target.id) ? 1 : 0).build()).toList();
    reconfigure("raising the priority of " + nodeId + " in shard " + shard, shard, peers);
    replaceGroup(shard, RaftGroup.valueOf(old.getGroupId(), peers));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!leader(shard).map(nodeId::equals).orElse(false)) {
      if (System.nanoTime() > deadline) {
        throw new EngineException("shard " + shard + ": " + nodeId + " did not become leader within 60 s", true);
      }
      try {
        clients[shard].admin().transferLeadership(target.id, 10_000);
      } catch (IOException e) {
        LOG.info("shard {}: transfer to {} not done yet: {}", shard, nodeId, e.toString());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException("interrupted", false, e);
      }
    }
  }

  /**
   * Sets the shard's configuration, tried again for up to a minute while another reconfiguration is
   * in progress (a leader just elected finishes the one it inherited first).
   */
  private void reconfigure(String what, int shard, List<RaftPeer> peers) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        check(what, () -> clients[shard].admin().setConfiguration(peers));
        return;
      } catch (EngineException e) {
        if (!inProgress(e) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException("interrupted", false, e);
      }
    }
  }

  private static boolean inProgress(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException
          || String.valueOf(t.getMessage()).contains("Reconfiguration is already in progress")) {
        return true;
      }
    }
    return false;
  }

  private interface AdminCall {
    RaftClientReply call() throws IOException;
  }

  private static void check(String what, AdminCall call) {
    RaftClientReply reply;
    try {
      reply = call.call();
    } catch (IOException e) {
      throw new EngineException(what + " failed: " + e.getMessage(), false, e);
    }
    if (!reply.isSuccess()) {
      throw new EngineException(what + " failed: " + reply.getException(), false, reply.getException());
    }
  }

  /**
   * The group's new members, and a client that knows them. Requests already sent on the old
   * client finish on it: it is closed some seconds later (or with the engine).
   */
  private void replaceGroup(int shard, RaftGroup next) {
    synchronized (clientsLock) {
      groups[shard] = next;
      RaftClient old = clients[shard];
      clients[shard] = newClient(next);
      retire(old);
    }
  }

  /** Closes a replaced client some seconds later (or with the engine), so requests sent on it finish. */
  private void retire(RaftClient old) {
    retired.add(old);
    try {
      diagnostics.execute(() -> {
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the engine is closing: close it now
        }
        if (retired.remove(old)) {
          closeQuietly(old);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      if (retired.remove(old)) {
        closeQuietly(old);
      }
    }
  }

  private static void closeQuietly(RaftClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing a ratis client: {}", e.toString());
    }
  }

  /** How many snapshots this node's replica of the shard installed from a leader since it started. */
  int snapshotsInstalled(String nodeId, int shard) {
    if (processes) {
      throw new IllegalStateException("the replicas live in other JVMs: read the node's log (" + nodeLog(nodeId) + ")");
    }
    ShardStateMachine sm = node(nodeId).machines.get(groups[shard].getGroupId());
    return sm == null ? 0 : sm.snapshotsInstalled();
  }

  /** The node JVM's output ({@code --cluster processes}). */
  Path nodeLog(String nodeId) {
    return node(nodeId).dir.resolve("node.log");
  }

  private Node node(String nodeId) {
    for (Node n : nodes) {
      if (n.id.toString().equals(nodeId)) {
        return n;
      }
    }
    throw new IllegalArgumentException("no node " + nodeId + " (nodes: " + nodes() + ")");
  }

  @Override
  public void close() {
    synchronized (clientsLock) { // clients are installed under this lock: none after this point
      if (closed) {
        return;
      }
      closed = true;
    }
    nudger.shutdownNow();
    if (nudges.get() > 0) {
      LOG.info("ratis: {} no-op entries appended for reads that waited {} ms", nudges.get(), nudgeMillis);
    }
    for (RaftClient client : clients) {
      if (client != null) {
        closeQuietly(client);
      }
    }
    for (RaftClient client : List.copyOf(retired)) {
      if (retired.remove(client)) {
        closeQuietly(client);
      }
    }
    if (admin != null) {
      closeQuietly(admin);
    }
    if (procs != null) {
      // SIGTERM: each node's shutdown hook closes its server; all at once; then the namespaces go
      procs.close();
    }
    // a server with a disk log takes about a second to close: close them all at once
    List<Thread> closers = new ArrayList<>();
    for (Node node : nodes) {
      RaftServer server = node.server;
      node.server = null;
      if (server != null) {
        Thread t = new Thread(() -> closeQuietly(server), "raftbench-ratis-close-" + node.id);
        t.start();
        closers.add(t);
      }
    }
    for (Thread t : closers) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    diagnostics.shutdownNow();
    dataDir.close();
  }

  private static void closeQuietly(RaftServer server) {
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing ratis server {}: {}", server.getId(), e.toString());
    }
  }

}
