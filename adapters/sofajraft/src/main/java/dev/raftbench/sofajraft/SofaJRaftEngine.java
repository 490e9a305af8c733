package dev.raftbench.sofajraft;

import com.alipay.sofa.jraft.CliService;
import com.alipay.sofa.jraft.JRaftServiceFactory;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.RaftServiceFactory;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.CliOptions;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.option.ReadOnlyOption;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.google.protobuf.BytesValue;
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
import dev.raftbench.store.engine.NodeArguments;
import dev.raftbench.store.engine.NodeProcesses;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.engine.ShardEpochs;
import dev.raftbench.store.engine.StaleEpochException;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SOFAJRaft cluster: N endpoints, each one RPC server shared by every shard group on it plus our
 * KV processor; S groups, each on the k nodes its placement names, leadership moved to the first
 * of them once elected; one RPC client that follows redirects and caches each shard's leader.
 * Embedded, the endpoints live in this JVM on 127.0.0.1 (ports chosen by the OS); with {@code
 * --cluster processes} each is a JVM of its own ({@link SofaJRaftNode}, on 127.0.0.1 and a port
 * picked here), found and steered through JRaft's CLI service over RPC, killed with SIGKILL,
 * frozen with SIGSTOP, its disk slowed; with {@code --cluster netns} each such JVM also runs in a
 * network namespace of its own on an address of its own, and can be cut off from its peers
 * ({@link NodeProcesses}).
 */
final class SofaJRaftEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(SofaJRaftEngine.class);
  private static final int MAX_REDIRECTS = 3;
  static final String LOOPBACK = "127.0.0.1";

  /** Defaults for a loaded 2-core machine; each can be overridden with -E. */
  static final Map<String, String> DEFAULTS = Map.of(
      // JRaft's 1 s made leaders step down under load here; the election waits t + [0, delay)
      "election.timeout.ms", "2000",
      "election.max.delay.ms", "2000",
      // snapshot each group this often, so the log (RocksDB or memory) is truncated behind it
      "snapshot.interval.secs", "30",
      "rpc.timeout.ms", "10000");

  private final EngineSpec spec;
  private final Map<String, String> options;
  private final DataDir dataDir;
  /** Every node the cluster has had, in order of their ids; nodes join while clients read it. */
  private final List<Server> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Nodes that left the cluster ({@link #removeNode}). */
  private final java.util.Set<String> removed = ConcurrentHashMap.newKeySet();
  /** Each shard's members as indexes into {@link #servers}; changed by membership calls. */
  private final List<List<Integer>> members = new ArrayList<>();
  /** Each shard's last known leader, an index into {@link #servers}. */
  private final int[] leaderGuess;
  private final ShardEpochs epochs;
  private final int rpcTimeoutMs;
  private volatile RpcClient client;
  private volatile boolean closed;
  /** Nodes as processes of their own: leaders are asked for and moved over RPC, through this service. */
  private final boolean processes;
  /** Node daemons somebody else runs ({@code harness node}): only connected to, never started or stopped. */
  private final boolean external;
  /** The node processes, their hosts and faults; null when embedded. */
  private volatile NodeProcesses procs;
  private volatile CliService cli;
  /** The CLI service for configuration changes, which wait for a newcomer to catch up. */
  private volatile CliService membershipCli;
  private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofMinutes(2);

  /** One endpoint: its identity, port and disk survive a stop; its RPC server and replicas do not. */
  static final class Server {
    final String id;
    final Path dir;
    /** The address it listens on: 127.0.0.1, or its own in a namespace. */
    final String host;
    volatile int port;
    volatile RpcServer rpc;
    /** The node's JVM ({@code --cluster processes}); null when embedded. */
    volatile ChildProcess process;
    final Map<Integer, KvProcessor.Replica> replicas = new ConcurrentHashMap<>();
    final Map<Integer, RaftGroupService> services = new ConcurrentHashMap<>();

    Server(String id, Path dir, String host) {
      this.id = id;
      this.dir = dir;
      this.host = host;
    }

    private volatile Endpoint endpoint;

    /** Cached: Endpoint caches its toString, which the RPC clients key connections by. */
    Endpoint endpoint() {
      Endpoint e = endpoint;
      if (e == null || e.getPort() != port) {
        e = new Endpoint(host, port);
        endpoint = e;
      }
      return e;
    }

    PeerId peer() {
      return new PeerId(host, port);
    }
  }

  private SofaJRaftEngine(EngineSpec spec) throws IOException {
    this.spec = spec;
    this.options = options(spec);
    this.rpcTimeoutMs = intOption(options, "rpc.timeout.ms");
    this.leaderGuess = new int[spec.shards()];
    this.epochs = new ShardEpochs(spec.shards());
    this.processes = spec.cluster().processes();
    this.external = spec.cluster() == ClusterMode.EXTERNAL;
    this.dataDir = DataDir.of(spec, "sofajraft");
  }

  /** The engine options with defaults filled in; refuses unknown keys and values that are not positive integers. */
  static Map<String, String> options(EngineSpec spec) {
    if (!SelectableRpcFactory.TRANSPORTS.contains(spec.transport())) {
      throw new IllegalArgumentException("unknown transport '" + spec.transport() + "' for engine sofajraft (known: "
          + String.join(", ", SelectableRpcFactory.TRANSPORTS) + ")");
    }
    Map<String, String> o = new TreeMap<>(DEFAULTS);
    for (Map.Entry<String, String> e : spec.options().entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown sofajraft option '" + e.getKey() + "' (known: " + String.join(", ", new TreeMap<>(DEFAULTS).keySet()) + ")");
      }
      o.put(e.getKey(), e.getValue());
    }
    for (String key : o.keySet()) {
      intOption(o, key);
    }
    return Map.copyOf(o);
  }

  private static int intOption(Map<String, String> options, String key) {
    String v = options.get(key);
    try {
      int i = Integer.parseInt(v.trim());
      if (i <= 0) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sofajraft option " + key + " must be a positive integer, was '" + v + "'");
    }
  }

  private int intOption(String key) {
    return intOption(options, key);
  }

  static SofaJRaftEngine start(EngineSpec spec) throws IOException, InterruptedException {
    SofaJRaftEngine engine = new SofaJRaftEngine(spec);
    try {
      engine.boot();
      return engine;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      engine.close();
      throw e;
    }
  }

  private void boot() throws IOException, InterruptedException {
    List<List<Integer>> layout = spec.layout();
    int[] ports = processes && !external ? FreePorts.pick(spec.nodes()) : new int[spec.nodes()];
    if (processes && !external) {
      procs = new NodeProcesses(name(), spec, dataDir.path());
    }
    if (external) {
      ExternalCluster.requireListening(name(), spec);
      servers.addAll(endpointServers(spec, dataDir.path()));
    }
    for (int i = 1; i <= spec.nodes() && !external; i++) {
      Server server = new Server("n" + i, dataDir.path().resolve("n" + i), processes ? procs.address(i - 1) : LOOPBACK);
      Files.createDirectories(server.dir);
      server.port = ports[i - 1];
      servers.add(server);
    }
    for (int s = 0; s < spec.shards(); s++) {
      members.add(new ArrayList<>(layout.get(s)));
      leaderGuess[s] = layout.get(s).get(0);
    }
    if (processes && !external) { // an external cluster's daemons are up already
      for (Server server : servers) {
        launch(server);
      }
      for (Server server : servers) {
        server.process.awaitReady(server.dir.resolve("port"), Duration.ofSeconds(120));
      }
    }
    if (processes) {
      CliOptions cliOptions = new CliOptions();
      cliOptions.setTimeoutMs(2000);
      cliOptions.setMaxRetry(1);
      cli = RaftServiceFactory.createAndInitCliService(cliOptions);
      // a peer added is answered once it caught up (a snapshot, then the log): far longer than 2 s
      CliOptions changes = new CliOptions();
      changes.setTimeoutMs((int) MEMBERSHIP_TIMEOUT.toMillis());
      changes.setMaxRetry(0);
      membershipCli = RaftServiceFactory.createAndInitCliService(changes);
    } else {
      for (Server server : servers) {
        startRpc(server);
      }
    }
    RpcClient c = RpcFactoryHelper.rpcFactory().createRpcClient();
    RpcOptions rpcOptions = new RpcOptions();
    rpcOptions.setRpcDefaultTimeout(rpcTimeoutMs);
    if (!c.init(rpcOptions)) {
      throw new IOException("the sofajraft RPC client did not start");
    }
    client = c;
    if (!processes) {
      for (int s = 0; s < spec.shards(); s++) {
        Configuration conf = configuration(layout.get(s));
        for (int member : layout.get(s)) {
          startReplica(servers.get(member), s, conf);
        }
      }
    }
    if (!external) {
      awaitLeaders(Duration.ofSeconds(120));
      return;
    }
    try {
      awaitLeaders(ExternalCluster.PATIENCE);
    } catch (EngineException e) {
      throw ExternalCluster.leaderless(name(), spec, e);
    }
  }

  /** The nodes of an external cluster, at its endpoints (their directories are the daemons' business). */
  private static List<Server> endpointServers(EngineSpec spec, Path dir) {
    List<Server> list = new ArrayList<>();
    for (int i = 0; i < spec.nodes(); i++) {
      Server server = new Server("n" + (i + 1), dir.resolve("n" + (i + 1)), spec.endpointHost(i));
      server.port = spec.endpointPort(i);
      list.add(server);
    }
    return list;
  }

  /**
   * Node {@code index} of an external cluster, as a daemon in this JVM ({@code harness node}): its
   * RPC server on its endpoint, and a replica of each shard the layout gives it, configured with
   * the shard's placed members (after a restart the configuration in its log wins).
   */
  static AutoCloseable serve(EngineSpec spec, int index, Path dir) throws IOException {
    SelectableRpcFactory.select(spec.transport());
    Map<String, String> engineOptions = options(spec);
    List<Server> all = endpointServers(spec, dir);
    Server server = new Server("n" + (index + 1), dir, spec.endpointHost(index));
    server.port = spec.endpointPort(index);
    Files.createDirectories(dir);
    startRpc(server, spec, null);
    try {
      List<List<Integer>> placed = spec.layout();
      for (int s = 0; s < spec.shards(); s++) {
        if (placed.get(s).contains(index)) {
          Configuration conf = new Configuration();
          placed.get(s).forEach(n -> conf.addPeer(all.get(n).peer()));
          startReplica(server, s, conf, spec, engineOptions);
        }
      }
    } catch (IOException | RuntimeException e) {
      stopServer(server);
      throw e;
    }
    return () -> stopServer(server);
  }

  /** Starts the node's JVM: its RPC server on its port, a replica of each shard it holds; then wait for its port file. */
  private void launch(Server server) throws IOException {
    Files.deleteIfExists(server.dir.resolve("port"));
    // the command names the shards the node holds now: membership changes since its last start count
    int index = servers.indexOf(server);
    Map<Integer, List<String>> shards = new TreeMap<>();
    for (int s = 0; s < spec.shards(); s++) {
      List<Integer> m = membersOf(s);
      if (m.contains(index)) {
        shards.put(s, m.stream().map(i -> servers.get(i).peer().toString()).toList());
      }
    }
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError",
        // ShardFsm says at INFO when it installs a leader's snapshot (tests read it in node.log)
        "-Dorg.slf4j.simpleLogger.log.dev.raftbench=info"));
    jvm.addAll(SelectableRpcFactory.jvmArgs(spec.transport()));
    server.process = procs.start(index, "sofajraft node " + server.id, server.dir, ChildProcess.javaCommand(jvm,
        SofaJRaftNode.class.getName(), NodeArguments.of(spec, server.id, server.dir, server.host, server.port, SofaJRaftNode.shardArguments(shards))));
  }

  private boolean running(Server server) {
    return external || (processes ? server.process != null && server.process.alive() : server.rpc != null);
  }

  private Configuration configuration(List<Integer> nodes) {
    Configuration conf = new Configuration();
    for (int n : nodes) {
      conf.addPeer(servers.get(n).peer());
    }
    return conf;
  }

  /** Binds the node's RPC server (port 0 the first time, then the same port) with Raft's and our processors. */
  private void startRpc(Server server) throws IOException {
    startRpc(server, spec, null);
  }

  /** The node's RPC server with Raft's processors and our KV processor ({@code host}: a node JVM's own, else null). */
  static void startRpc(Server server, EngineSpec spec, KvProcessor.Host host) throws IOException {
    RpcServer rpc = RaftRpcServerFactory.createRaftRpcServer(server.endpoint());
    rpc.registerProcessor(new KvProcessor(server.replicas, spec.reads() == ReadConsistency.STALE, host));
    if (!rpc.init(null)) {
      throw new IOException("the RPC server of " + server.id + " did not start on " + server.host + ":" + server.port);
    }
    server.port = rpc.boundPort();
    server.rpc = rpc;
  }

  private void startReplica(Server server, int shard, Configuration conf) throws IOException {
    startReplica(server, shard, conf, spec, options);
  }

  static void startReplica(Server server, int shard, Configuration conf, EngineSpec spec, Map<String, String> options) throws IOException {
    Path dir = server.dir.resolve("shard-" + shard);
    Files.createDirectories(dir.resolve("log")); // RocksDB only creates the last directory of a path
    Files.createDirectories(dir.resolve("meta"));
    Files.createDirectories(dir.resolve("snapshot"));
    ShardFsm fsm = new ShardFsm();
    NodeOptions o = new NodeOptions();
    o.setFsm(fsm);
    o.setInitialConf(conf);
    o.setElectionTimeoutMs(intOption(options, "election.timeout.ms"));
    o.setSnapshotIntervalSecs(intOption(options, "snapshot.interval.secs"));
    o.setLogUri(dir.resolve("log").toString());
    o.setRaftMetaUri(dir.resolve("meta").toString());
    o.setSnapshotUri(dir.resolve("snapshot").toString());
    // one timer of each kind for every group in the JVM, not one per group
    o.setSharedElectionTimer(true);
    o.setSharedVoteTimer(true);
    o.setSharedStepDownTimer(true);
    o.setSharedSnapshotTimer(true);
    o.setEnableMetrics(false);
    RaftOptions raft = new RaftOptions();
    raft.setSync(spec.fsync());
    raft.setMaxElectionDelayMs(intOption(options, "election.max.delay.ms"));
    raft.setReadOnlyOptions(spec.reads() == ReadConsistency.LEASE ? ReadOnlyOption.ReadOnlyLeaseBased : ReadOnlyOption.ReadOnlySafe);
    o.setRaftOptions(raft);
    if (spec.log() == dev.raftbench.store.engine.LogStorage.MEMORY) {
      o.setServiceFactory(MEMORY_LOG);
    }
    RaftGroupService service = new RaftGroupService(groupId(shard), server.peer(), o, server.rpc, true);
    Node node = service.start(false);
    if (node == null) {
      throw new IOException("shard " + shard + " did not start on " + server.id);
    }
    fsm.markRunning();
    server.services.put(shard, service);
    server.replicas.put(shard, new KvProcessor.Replica(node, fsm));
  }

  private static final JRaftServiceFactory MEMORY_LOG = new DefaultJRaftServiceFactory() {
    @Override
    public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
      return new MemoryLogStorage();
    }
  };

  static String groupId(int shard) {
    return "raftbench-shard-" + shard;
  }

  /**
   * Every shard has a leader; then leadership moves to each shard's preferred node, asked again
   * every second for up to 15 s: a leader just elected refuses a transfer until it has committed
   * its configuration entry (EBUSY "Changing the configuration"), and waiting on that one refusal
   * made most starts take 15 s longer.
   */
  private void awaitLeaders(Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    LeaderWait.anyLeader(this, deadline, patience);
    long until = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(15).toNanos());
    long every = Duration.ofSeconds(1).toNanos();
    long[] asked = new long[spec.shards()];
    java.util.Arrays.fill(asked, System.nanoTime() - every); // each shard asked at once
    while (System.nanoTime() < until) {
      boolean all = true;
      for (int s = 0; s < spec.shards(); s++) {
        Server want = servers.get(members.get(s).get(0));
        if (leader(s).map(want.id::equals).orElse(false)) {
          continue;
        }
        all = false;
        long now = System.nanoTime();
        if (now - asked[s] >= every) {
          asked[s] = now;
          askLeadership(s, want);
        }
      }
      if (all) {
        break;
      }
      Thread.sleep(50);
    }
    LeaderWait.anyLeader(this, deadline, patience);
  }

  /** Asks the shard's leader, if there is one, to hand leadership to {@code want}; a refusal is only logged. */
  private void askLeadership(int s, Server want) {
    Status st;
    if (processes) {
      st = cli.transferLeader(groupId(s), configuration(membersOf(s)), want.peer());
    } else {
      Optional<Server> leader = leaderServer(s);
      if (leader.isEmpty() || leader.get() == want) {
        return;
      }
      st = leader.get().replicas.get(s).node().transferLeadershipTo(want.peer());
    }
    if (!st.isOk()) {
      LOG.info("shard {}: leadership stays where it is for now: {}", s, st);
    }
  }

  @Override
  public String name() {
    return "sofajraft";
  }

  @Override
  public int shards() {
    return spec.shards();
  }

  @Override
  public List<String> nodes() {
    return servers.stream().map(s -> s.id).filter(id -> !removed.contains(id)).toList();
  }

  @Override
  public synchronized String addNode() {
    if (closed) {
      throw new EngineException("sofajraft cluster is closed", false);
    }
    int i = servers.size() + 1;
    Server server = new Server("n" + i, dataDir.path().resolve("n" + i), processes ? procs.address(i - 1) : LOOPBACK);
    try {
      Files.createDirectories(server.dir);
      if (processes) {
        server.port = FreePorts.pick(1)[0];
        servers.add(server);
        launch(server); // it holds no shard: its command names none
        server.process.awaitReady(server.dir.resolve("port"), Duration.ofSeconds(120));
      } else {
        startRpc(server);
        servers.add(server);
      }
      return server.id;
    } catch (InterruptedException | IOException | RuntimeException e) {
      // not a node of the cluster: nothing left running, nothing listed
      if (processes) {
        procs.forget(i - 1);
      } else if (server.rpc != null) {
        stopServer(server);
      }
      servers.remove(server);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof RuntimeException r ? r : new EngineException("starting node n" + i + " failed: " + e.getMessage(), false, e);
    }
  }

  @Override
  public synchronized void removeNode(String nodeId) {
    int index = indexOf(nodeId);
    for (int s = 0; s < spec.shards(); s++) {
      if (membersOf(s).contains(index)) {
        throw new IllegalStateException("node " + nodeId + " still holds a replica of shard " + s + ": move it first");
      }
    }
    removed.add(nodeId);
    Server server = servers.get(index);
    if (processes) {
      server.process.stop(30);
    } else {
      stopServer(server);
    }
    DataDir.deleteRecursively(server.dir);
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
    return call(shard, KvWire.WRITE, write, epoch, -1);
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    return read(shard, epochs.get(shard), read);
  }

  @Override
  public CompletableFuture<Reply> read(int shard, long epoch, Command.Read read) {
    return call(shard, KvWire.READ, read, epoch, -1);
  }

  @Override
  public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
    return call(shard, KvWire.LOCAL_READ, read, Codec.Entry.UNROUTED, indexOf(node));
  }

  /** Sends to the node given, or to the shard's leader as last known, following redirects. */
  private CompletableFuture<Reply> call(int shard, byte kind, Command command, long epoch, int target) {
    byte[] encoded;
    try {
      encoded = Codec.encode(command, epoch);
    } catch (IllegalArgumentException refused) { // e.g. an oversized command
      return CompletableFuture.failedFuture(refused);
    }
    return call(shard, kind, encoded, target);
  }

  private CompletableFuture<Reply> call(int shard, byte kind, byte[] encoded, int target) {
    if (closed) {
      return CompletableFuture.failedFuture(new EngineException("sofajraft cluster is closed", false));
    }
    if (shard < 0 || shard >= spec.shards()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no shard " + shard));
    }
    BytesValue request;
    try {
      request = KvWire.request(kind, shard, encoded);
    } catch (IllegalArgumentException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<Reply> result = new CompletableFuture<>();
    send(shard, request, target, target >= 0 ? target : leaderGuess[shard], 0, result);
    return result;
  }

  private void send(int shard, BytesValue request, int pinned, int to, int redirects, CompletableFuture<Reply> result) {
    Server server = servers.get(to);
    RpcClient c = client;
    if (c == null) {
      result.completeExceptionally(new EngineException("sofajraft cluster is closed", false));
      return;
    }
    try {
      c.invokeAsync(server.endpoint(), request, (response, error) -> {
        try {
          onResponse(shard, request, pinned, to, redirects, result, server, response, error);
        } catch (RuntimeException | Error e) { // never leave the caller without an answer
          result.completeExceptionally(new EngineException("shard " + shard + " via " + server.id + ": " + e, false, e));
        }
      }, rpcTimeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.completeExceptionally(new EngineException("interrupted sending to shard " + shard, false, e));
    } catch (Exception e) { // RemotingException: no connection to that node
      unreachable(shard, to, pinned);
      result.completeExceptionally(new EngineException("shard " + shard + " via " + server.id + ": " + e.getMessage(), !closed, e));
    }
  }

  /** One answer: the reply, a refusal, a redirect to follow, or a failure that moves the next try to another member. */
  private void onResponse(int shard, BytesValue request, int pinned, int to, int redirects, CompletableFuture<Reply> result, Server server,
      Object response, Throwable error) {
    if (error != null) {
      unreachable(shard, to, pinned);
      result.completeExceptionally(new EngineException("shard " + shard + " via " + server.id + ": " + error.getMessage(), !closed, error));
      return;
    }
    BytesValue r = (BytesValue) response;
    switch (KvWire.status(r)) {
      case KvWire.OK -> {
        try {
          result.complete(Codec.decodeReply(KvWire.payload(r)));
        } catch (StaleEpochException stale) {
          result.completeExceptionally(stale);
        } catch (RuntimeException e) {
          result.completeExceptionally(new EngineException("shard " + shard + ": undecodable reply: " + e.getMessage(), false, e));
        }
      }
      case KvWire.REFUSED -> result.completeExceptionally(new IllegalArgumentException("shard " + shard + " refused the command: " + KvWire.text(r)));
      case KvWire.NOT_LEADER -> {
        int next = indexOfEndpoint(KvWire.text(r));
        if (pinned < 0 && next >= 0 && next != to && redirects < MAX_REDIRECTS) {
          leaderGuess[shard] = next;
          send(shard, request, pinned, next, redirects + 1, result);
        } else {
          unreachable(shard, to, pinned);
          result.completeExceptionally(new EngineException("shard " + shard + ": " + server.id + " is not the leader and knows none", true));
        }
      }
      default -> {
        unreachable(shard, to, pinned);
        result.completeExceptionally(new EngineException("shard " + shard + " via " + server.id + ": " + KvWire.text(r), !closed));
      }
    }
  }

  /** The next try goes to another member of the shard. */
  private void unreachable(int shard, int node, int pinned) {
    if (pinned >= 0) {
      return;
    }
    List<Integer> m = members.get(shard);
    synchronized (m) {
      int i = m.indexOf(node);
      if (leaderGuess[shard] == node && !m.isEmpty()) {
        leaderGuess[shard] = m.get((i + 1) % m.size());
      }
    }
  }

  private int indexOfEndpoint(String hostPort) {
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i).endpoint().toString().equals(hostPort)) {
        return i;
      }
    }
    return -1;
  }

  private int indexOf(String nodeId) {
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i).id.equals(nodeId)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no node " + nodeId + " (nodes: " + nodes() + ")");
  }

  private Optional<Server> leaderServer(int shard) {
    for (Server server : servers) {
      KvProcessor.Replica r = server.replicas.get(shard);
      if (r != null && r.node().isLeader(false)) {
        return Optional.of(server);
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<String> leader(int shard) {
    if (processes) {
      return leaderOverRpc(shard).map(i -> servers.get(i).id);
    }
    return leaderServer(shard).map(s -> s.id);
  }

  /** The members' answer to "who leads?" (JRaft's CLI service asks them in turn, 2 s at most each). */
  private Optional<Integer> leaderOverRpc(int shard) {
    CliService c = cli;
    if (c == null) {
      return Optional.empty();
    }
    Configuration live = new Configuration();
    for (int i : membersOf(shard)) {
      if (running(servers.get(i))) {
        live.addPeer(servers.get(i).peer());
      }
    }
    PeerId out = new PeerId();
    if (live.isEmpty() || !c.getLeader(groupId(shard), live, out).isOk()) {
      return Optional.empty();
    }
    int index = indexOfEndpoint(out.getEndpoint().toString());
    return index < 0 ? Optional.empty() : Optional.of(index);
  }

  @Override
  public List<String> members(int shard) {
    List<Integer> m = members.get(shard);
    synchronized (m) {
      return m.stream().map(i -> servers.get(i).id).sorted().toList();
    }
  }

  @Override
  public void addMember(int shard, String nodeId) {
    addReplica(shard, nodeId);
    advanceEpoch(shard);
  }

  @Override
  public void removeMember(int shard, String nodeId) {
    removeReplica(shard, nodeId);
    advanceEpoch(shard);
  }

  /** The shard's membership changed: a new epoch, committed to its log (commands routed before it are refused). */
  private void advanceEpoch(int shard) {
    epochs.advance(shard, entry -> call(shard, KvWire.WRITE, entry, -1));
  }

  private void addReplica(int shard, String nodeId) {
    int index = indexOf(nodeId);
    Server server = servers.get(index);
    if (processes) {
      if (!running(server)) {
        throw new EngineException("node " + nodeId + " is stopped", false);
      }
      if (membersOf(shard).contains(index)) {
        throw new IllegalArgumentException("node " + nodeId + " already holds shard " + shard);
      }
      // an empty configuration: the new replica waits to hear from the leader, never elects itself
      administer(server, KvWire.START_REPLICA, shard, "");
      Status st = changeOverCli(() -> membershipCli.addPeer(groupId(shard), configuration(membersOf(shard)), server.peer()),
          () -> peersOverCli(shard).map(p -> p.contains(server.peer())).orElse(false));
      if (!st.isOk()) {
        try {
          administer(server, KvWire.DROP_REPLICA, shard, ""); // not a member: no replica left behind
        } catch (EngineException cleanup) {
          LOG.warn("dropping the replica of shard {} on {}: {}", shard, nodeId, cleanup.getMessage());
        }
        throw new EngineException("adding " + nodeId + " to shard " + shard + " failed: " + st, false);
      }
      synchronized (members.get(shard)) {
        members.get(shard).add(index);
      }
      return;
    }
    if (server.rpc == null) {
      throw new EngineException("node " + nodeId + " is stopped", false);
    }
    if (server.replicas.containsKey(shard)) {
      throw new IllegalArgumentException("node " + nodeId + " already holds shard " + shard);
    }
    try {
      // an empty configuration: the new replica waits to hear from the leader, never elects itself
      startReplica(server, shard, new Configuration());
    } catch (IOException e) {
      throw new EngineException("starting shard " + shard + " on " + nodeId + " failed: " + e.getMessage(), false, e);
    }
    try {
      onLeader(shard, "adding " + nodeId + " to shard " + shard, (node, done) -> node.addPeer(server.peer(), done),
          peers -> peers.contains(server.peer()));
    } catch (RuntimeException e) {
      stopReplica(server, shard); // not a member: no replica left behind
      DataDir.deleteRecursively(server.dir.resolve("shard-" + shard));
      throw e;
    }
    List<Integer> m = members.get(shard);
    synchronized (m) {
      m.add(index);
    }
  }

  private void removeReplica(int shard, String nodeId) {
    int index = indexOf(nodeId);
    Server server = servers.get(index);
    if (processes) {
      Status st = changeOverCli(() -> membershipCli.removePeer(groupId(shard), configuration(membersOf(shard)), server.peer()),
          () -> peersOverCli(shard).map(p -> !p.contains(server.peer())).orElse(false));
      if (!st.isOk()) {
        throw new EngineException("removing " + nodeId + " from shard " + shard + " failed: " + st, false);
      }
      forget(shard, index);
      if (running(server)) {
        administer(server, KvWire.DROP_REPLICA, shard, "");
      }
      return;
    }
    onLeader(shard, "removing " + nodeId + " from shard " + shard, (node, done) -> node.removePeer(server.peer(), done),
        peers -> !peers.contains(server.peer()));
    forget(shard, index);
    stopReplica(server, shard);
    DataDir.deleteRecursively(server.dir.resolve("shard-" + shard));
  }

  /** The replica's directory (log, raft meta, snapshots); empty with a memory log. */
  @Override
  public java.util.OptionalLong replicaBytes(String nodeId, int shard) {
    if (spec.log() == dev.raftbench.store.engine.LogStorage.MEMORY) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(DataDir.bytes(servers.get(indexOf(nodeId)).dir.resolve("shard-" + shard)));
  }

  /** Tells a node JVM to start or drop its replica of a shard ({@link KvWire#START_REPLICA}, {@link KvWire#DROP_REPLICA}). */
  private void administer(Server server, byte kind, int shard, String configuration) {
    BytesValue request = KvWire.request(kind, shard, configuration.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Object response;
    try {
      response = client.invokeSync(server.endpoint(), request, rpcTimeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted while asking " + server.id + " about shard " + shard, false, e);
    } catch (Exception e) { // RemotingException
      throw new EngineException("asking " + server.id + " about shard " + shard + " failed: " + e.getMessage(), false, e);
    }
    BytesValue r = (BytesValue) response;
    if (KvWire.status(r) != KvWire.OK) {
      throw new EngineException(server.id + " could not " + (kind == KvWire.START_REPLICA ? "start" : "drop") + " its replica of shard "
          + shard + ": " + KvWire.text(r), false);
    }
  }

  private List<Integer> membersOf(int shard) {
    synchronized (members.get(shard)) {
      return List.copyOf(members.get(shard));
    }
  }

  private void forget(int shard, int index) {
    List<Integer> m = members.get(shard);
    synchronized (m) {
      m.remove(Integer.valueOf(index));
      if (leaderGuess[shard] == index && !m.isEmpty()) {
        leaderGuess[shard] = m.get(0);
      }
    }
  }

  @Override
  public void transferLeadership(int shard, String nodeId) {
    Server target = servers.get(indexOf(nodeId));
    if (processes) {
      int index = indexOf(nodeId);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!leaderOverRpc(shard).map(l -> l == index).orElse(false)) {
        if (System.nanoTime() > deadline) {
          throw new EngineException("shard " + shard + ": " + nodeId + " did not become leader within 60 s", true);
        }
        cli.transferLeader(groupId(shard), configuration(membersOf(shard)), target.peer());
        sleep(100);
      }
      leaderGuess[shard] = index;
      return;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Server> leader = leaderServer(shard);
      if (leader.isPresent() && leader.get() == target) {
        leaderGuess[shard] = indexOf(nodeId);
        return;
      }
      if (leader.isPresent()) {
        Status st = leader.get().replicas.get(shard).node().transferLeadershipTo(target.peer());
        if (!st.isOk() && st.getRaftError() != com.alipay.sofa.jraft.error.RaftError.EBUSY) {
          throw new EngineException("shard " + shard + ": transferring leadership to " + nodeId + " failed: " + st, false);
        }
      }
      sleep(100);
    }
    throw new EngineException("shard " + shard + ": " + nodeId + " did not become leader within 60 s", true);
  }

  private interface LeaderCall {
    void run(Node leader, com.alipay.sofa.jraft.Closure done);
  }

  /** Runs a configuration change on the shard's leader and waits for it, retrying while the leader is busy or moving. */
  /**
   * Runs the change on the shard's leader, tried again while it fails (not leader any more, a
   * change in progress) for up to 120 s. Before each new try, {@code inPlace} is asked of the
   * leader's configuration: a try that failed to report back (a leader that committed the change,
   * then stepped down) may have done the work, and doing it again would be refused ("Peer already
   * exists in current configuration", seen under four parallel moves).
   */
  private void onLeader(int shard, String what, LeaderCall call, java.util.function.Predicate<List<PeerId>> inPlace) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Status last = null;
    while (System.nanoTime() < deadline) {
      Optional<Server> leader = leaderServer(shard);
      if (leader.isEmpty()) {
        sleep(50);
        continue;
      }
      Node node = leader.get().replicas.get(shard).node();
      if (last != null && inPlaceOn(node, inPlace)) {
        return;
      }
      CountDownLatch latch = new CountDownLatch(1);
      Status[] outcome = new Status[1];
      call.run(node, status -> {
        outcome[0] = status;
        latch.countDown();
      });
      try {
        if (!latch.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException(what + " was interrupted", false, e);
      }
      last = outcome[0];
      if (last.isOk()) {
        return;
      }
      sleep(200); // not leader any more, or a change in progress: try again
    }
    throw new EngineException(what + " did not complete within 120 s" + (last == null ? "" : ": " + last), false);
  }

  private static boolean inPlaceOn(Node leader, java.util.function.Predicate<List<PeerId>> inPlace) {
    try {
      return leader.isLeader() && inPlace.test(leader.listPeers());
    } catch (IllegalStateException notLeader) {
      return false;
    }
  }

  /** The shard's configuration as its leader has it, asked over the CLI service; empty if no leader answers. */
  private Optional<List<PeerId>> peersOverCli(int shard) {
    CliService c = membershipCli;
    if (c == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(c.getPeers(groupId(shard), configuration(membersOf(shard))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * A configuration change over the CLI service, tried again while the leader is busy with another
   * (a leader just elected commits its own configuration first) or is not the leader any more;
   * after a failure, {@code inPlace} says whether a try did the change after all.
   */
  private static Status changeOverCli(java.util.function.Supplier<Status> change, java.util.function.BooleanSupplier inPlace) {
    long deadline = System.nanoTime() + MEMBERSHIP_TIMEOUT.toNanos();
    while (true) {
      Status st = change.get();
      if (!st.isOk() && inPlace.getAsBoolean()) {
        return Status.OK();
      }
      boolean again = st.getRaftError() == com.alipay.sofa.jraft.error.RaftError.EBUSY
          || st.getRaftError() == com.alipay.sofa.jraft.error.RaftError.EPERM
          || st.getRaftError() == com.alipay.sofa.jraft.error.RaftError.EAGAIN;
      if (st.isOk() || !again || System.nanoTime() > deadline) {
        return st;
      }
      sleep(200);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted", false, e);
    }
  }

  /** Takes a snapshot of the shard on every running replica now (tests force log truncation with it). */
  void snapshotNow(int shard) throws InterruptedException {
    if (processes) {
      for (int i : membersOf(shard)) {
        if (running(servers.get(i))) {
          Status st = cli.snapshot(groupId(shard), servers.get(i).peer());
          if (!st.isOk()) {
            throw new EngineException("snapshot of shard " + shard + " on " + servers.get(i).id + " failed: " + st, false);
          }
        }
      }
      return;
    }
    for (Server server : servers) {
      KvProcessor.Replica r = server.replicas.get(shard);
      if (r != null) {
        CountDownLatch latch = new CountDownLatch(1);
        r.node().snapshot(status -> latch.countDown());
        if (!latch.await(60, TimeUnit.SECONDS)) {
          throw new EngineException("snapshot of shard " + shard + " on " + server.id + " did not finish", false);
        }
      }
    }
  }

  /** The node JVM's output ({@code --cluster processes}). */
  Path nodeLog(String nodeId) {
    return servers.get(indexOf(nodeId)).dir.resolve("node.log");
  }

  int snapshotsInstalled(String nodeId, int shard) {
    if (processes) {
      throw new IllegalStateException("the replicas live in other JVMs: read the node's log (" + nodeLog(nodeId) + ")");
    }
    KvProcessor.Replica r = servers.get(indexOf(nodeId)).replicas.get(shard);
    return r == null ? 0 : r.fsm().snapshotsInstalled();
  }

  @Override
  public void stopNode(String nodeId) {
    if (external) {
      throw new UnsupportedCapabilityException(name() + " (its nodes are daemons this trial did not start)", Capability.NODE_STOP_START);
    }
    Server server = servers.get(indexOf(nodeId));
    if (processes) {
      server.process.kill(); // SIGKILL: what the node had not forced to disk is gone
      return;
    }
    stopServer(server);
  }

  @Override
  public void pauseNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.NODE_PAUSE).pause(indexOf(nodeId));
  }

  @Override
  public void resumeNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.NODE_PAUSE).resume(indexOf(nodeId));
  }

  @Override
  public void isolateNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.PARTITION).isolate(indexOf(nodeId));
  }

  @Override
  public void rejoinNode(String nodeId) {
    NodeProcesses.require(procs, name(), Capability.PARTITION).rejoin(indexOf(nodeId));
  }

  @Override
  public void slowDisk(String nodeId, Duration delay) {
    NodeProcesses.require(procs, name(), Capability.SLOW_DISK).slowDisk(indexOf(nodeId), delay);
  }

  @Override
  public void startNode(String nodeId) {
    if (spec.log() == dev.raftbench.store.engine.LogStorage.MEMORY) {
      // it would come back with its term and vote but no log: Raft's safety needs the log to survive
      throw new EngineException("restarting a node needs --log disk: a memory-log node restarts with an empty log", false);
    }
    Server server = servers.get(indexOf(nodeId));
    if (running(server)) {
      return;
    }
    if (processes) {
      try {
        launch(server); // same port, shards and directory: each replica recovers from its log
        server.process.awaitReady(server.dir.resolve("port"), Duration.ofSeconds(120));
      } catch (IOException e) {
        throw new EngineException("restarting " + nodeId + " failed: " + e.getMessage(), false, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException("interrupted while restarting " + nodeId, false, e);
      }
      return;
    }
    try {
      startRpc(server);
      for (int s = 0; s < spec.shards(); s++) {
        List<Integer> copy = membersOf(s);
        if (copy.contains(servers.indexOf(server))) {
          // the configuration on disk wins over this one once the log is replayed
          startReplica(server, s, configuration(copy));
        }
      }
    } catch (IOException e) {
      throw new EngineException("restarting " + nodeId + " failed: " + e.getMessage(), false, e);
    }
  }

  static void stopReplica(Server server, int shard) {
    RaftGroupService service = server.services.remove(shard);
    KvProcessor.Replica replica = server.replicas.remove(shard);
    if (service != null) {
      service.shutdown();
      try {
        replica.node().join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static void stopServer(Server server) {
    List<Integer> shards = new ArrayList<>(server.services.keySet());
    for (int s : shards) {
      RaftGroupService service = server.services.get(s);
      if (service != null) {
        service.shutdown(); // asynchronous: every group stops at once, then we wait for each
      }
    }
    for (int s : shards) {
      server.services.remove(s);
      KvProcessor.Replica r = server.replicas.remove(s);
      if (r != null) {
        try {
          r.node().join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    RpcServer rpc = server.rpc;
    server.rpc = null;
    if (rpc != null) {
      rpc.shutdown();
    }
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new TreeMap<>(SelectableRpcFactory.settings());
    if (procs != null) {
      m.putAll(procs.settings());
    }
    return m;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RpcClient c = client;
    client = null;
    if (c != null) {
      c.shutdown();
    }
    for (CliService cs : new CliService[] {cli, membershipCli}) {
      if (cs != null) {
        cs.shutdown();
      }
    }
    cli = null;
    membershipCli = null;
    if (procs != null) {
      // SIGTERM: each node's shutdown hook stops its groups and its RPC server; all at once; then the namespaces go
      procs.close();
    }
    for (Server server : servers) {
      try {
        stopServer(server);
      } catch (RuntimeException e) {
        LOG.warn("stopping {}: {}", server.id, e.toString());
      }
    }
    dataDir.close();
  }


}
