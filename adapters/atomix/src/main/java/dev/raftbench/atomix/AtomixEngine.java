package dev.raftbench.atomix;

import dev.raftbench.store.engine.DataDir;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.FreePorts;
import dev.raftbench.store.engine.LeaderWait;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.KvStateMachine;
import dev.raftbench.store.kv.Reply;
import io.atomix.cluster.MemberId;
import io.atomix.cluster.Node;
import io.atomix.cluster.discovery.BootstrapDiscoveryProvider;
import io.atomix.cluster.discovery.NodeDiscoveryProvider;
import io.atomix.core.Atomix;
import io.atomix.core.registry.ClasspathScanningRegistry;
import io.atomix.primitive.PrimitiveException;
import io.atomix.primitive.partition.Partition;
import io.atomix.primitive.partition.PartitionGroup;
import io.atomix.primitive.partition.PartitionId;
import io.atomix.primitive.proxy.ProxyClient;
import io.atomix.primitive.proxy.ProxySession;
import io.atomix.primitive.Recovery;
import io.atomix.primitive.service.ServiceConfig;
import io.atomix.protocols.raft.MultiRaftProtocol;
import io.atomix.protocols.raft.partition.RaftPartition;
import io.atomix.protocols.raft.partition.RaftPartitionGroup;
import io.atomix.protocols.raft.partition.impl.RaftPartitionServer;
import io.atomix.protocols.raft.RaftServer;
import io.atomix.protocols.raft.cluster.RaftCluster;
import io.atomix.protocols.raft.cluster.RaftMember;
import io.atomix.protocols.raft.impl.DefaultRaftServer;
import io.atomix.protocols.raft.impl.RaftContext;
import io.atomix.protocols.raft.storage.RaftStorage;
import io.atomix.storage.StorageLevel;
import io.atomix.utils.net.Address;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Atomix cluster in this JVM: N members on 127.0.0.1, each with its own data directory, sharing
 * a management Raft partition group ({@code system}, one partition on every member) and a data Raft
 * partition group ({@code data}, one partition per shard, {@code k} replicas each). Our
 * {@link KvStateMachine} runs in each partition as the custom primitive {@link KvPrimitiveType}.
 *
 * <p>The client is one more Atomix member that holds no partitions (as an application would run
 * it): one proxy with one session per partition. The harness's partitioner picks the shard; shard
 * {@code s} is the {@code s}-th partition of the data group, so hashing means the same as on every
 * other engine. Atomix assigns partition {@code i} to the members {@code i .. i+k-1} of its sorted
 * member list: the same sets as our {@code ring} placement, which is therefore the only one it runs.
 */
final class AtomixEngine implements Engine {
  static final String TRANSPORT = "netty";
  private static final String DATA_GROUP = "data";
  private static final String SYSTEM_GROUP = "system";
  private static final String PRIMITIVE = "raftbench-kv";
  private static final AtomicInteger CLUSTERS = new AtomicInteger();
  /** Atomix's registry scans the classpath once per class loader; only where types live. */
  private static final String[] TYPE_PACKAGES = {"io.atomix", "dev.raftbench.atomix"};

  /** Defaults for this machine; each can be overridden with -E. */
  static final Map<String, String> DEFAULTS = Map.of(
      // MAPPED: memory-mapped segments; DISK with 1 MB entries was 5-8x slower (ENGINES.md)
      "storage", "mapped",
      "max.entry.size", String.valueOf(64 * 1024),
      "segment.size", String.valueOf(32 * 1024 * 1024),
      // a session expires after this long without keep-alives: long enough for a loaded 2-core box
      "session.timeout.ms", "10000",
      "start.timeout.secs", "180");

  private final EngineSpec spec;
  private final Map<String, String> options;
  private final DataDir dataDir;
  private final String clusterId;
  private final List<Member> members = new ArrayList<>();
  private final int maxEntrySize;
  private volatile Atomix client;
  private volatile ProxyClient<KvService> proxy;
  private final List<ProxySession<KvService>> sessions = new ArrayList<>();
  private final List<PartitionId> partitions = new ArrayList<>();
  private volatile boolean closed;

  /** One server member: its identity, address and disk survive a stop; its Atomix instance does not. */
  private static final class Member {
    final String id;
    final MemberId memberId;
    final int port;
    final Path dir;
    volatile Atomix atomix;

    Member(String id, MemberId memberId, int port, Path dir) {
      this.id = id;
      this.memberId = memberId;
      this.port = port;
      this.dir = dir;
    }
  }

  private AtomixEngine(EngineSpec spec) throws IOException {
    this.spec = spec;
    this.options = options(spec);
    this.maxEntrySize = intOption(options, "max.entry.size");
    this.clusterId = "raftbench-" + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet();
    this.dataDir = DataDir.of(spec, "atomix");
  }

  /** The engine options with defaults filled in; refuses what Atomix cannot run. */
  static Map<String, String> options(EngineSpec spec) {
    if (!TRANSPORT.equals(spec.transport())) {
      throw new IllegalArgumentException("unknown transport '" + spec.transport() + "' for engine atomix (known: " + TRANSPORT + ")");
    }
    if (spec.log() == LogStorage.MEMORY) {
      throw new IllegalArgumentException("engine atomix has no safe memory log (Atomix's MEMORY storage loses data after"
          + " compaction): use --log disk, with -E storage=mapped (default) or -E storage=disk");
    }
    if (spec.replication() < spec.nodes() && !"ring".equals(spec.placement())) {
      throw new IllegalArgumentException("engine atomix places partition i on members i..i+k-1 (placement 'ring') and"
          + " cannot follow placement '" + spec.placement() + "'");
    }
    Map<String, String> o = new TreeMap<>(DEFAULTS);
    for (Map.Entry<String, String> e : spec.options().entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown atomix option '" + e.getKey() + "' (known: "
            + String.join(", ", new TreeMap<>(DEFAULTS).keySet()) + "; Atomix's election timeout is fixed at 2.5 s)");
      }
      o.put(e.getKey(), e.getValue().trim());
    }
    storageLevel(o.get("storage"));
    for (String key : o.keySet()) {
      if (!key.equals("storage")) {
        intOption(o, key);
      }
    }
    return Map.copyOf(o);
  }

  private static StorageLevel storageLevel(String v) {
    return switch (v) {
      case "mapped" -> StorageLevel.MAPPED;
      case "disk" -> StorageLevel.DISK;
      // deliberately unsafe: snapshots live in memory while compaction deletes the log before them, so
      // a restarted member forgets what it acknowledged; it exists to prove that checks catch loss
      case "memory-lossy" -> StorageLevel.MEMORY;
      default -> throw new IllegalArgumentException("atomix option storage must be mapped, disk or memory-lossy, was '" + v + "'");
    };
  }

  private static int intOption(Map<String, String> options, String key) {
    String v = options.get(key);
    try {
      int i = Integer.parseInt(v);
      if (i <= 0) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("atomix option " + key + " must be a positive integer, was '" + v + "'");
    }
  }

  static AtomixEngine start(EngineSpec spec) throws Exception {
    AtomixEngine engine = new AtomixEngine(spec);
    try {
      engine.boot();
      return engine;
    } catch (Exception | Error e) {
      engine.close();
      throw e;
    }
  }

  private void boot() throws Exception {
    Duration patience = Duration.ofSeconds(intOption(options, "start.timeout.secs"));
    long deadline = System.nanoTime() + patience.toNanos();
    int width = String.valueOf(spec.nodes()).length();
    for (int i = 0; i < spec.nodes(); i++) {
      String id = "n" + (i + 1);
      // Atomix sorts member ids to place partitions: pad them so that sorted = our node order
      MemberId memberId = MemberId.from(clusterId + "-n" + String.format("%0" + width + "d", i + 1));
      Path dir = dataDir.path().resolve(id);
      Files.createDirectories(dir);
      members.add(new Member(id, memberId, freePort(), dir));
    }
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (Member m : members) {
      started.add(startMember(m, 1));
    }
    await(CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)), deadline, "the members to form the cluster");

    Atomix c = startClient(deadline);

    MultiRaftProtocol protocol = MultiRaftProtocol.builder(DATA_GROUP)
        .withReadConsistency(readConsistency(spec.reads()))
        .withMinTimeout(Duration.ofMillis(intOption(options, "session.timeout.ms")))
        .withMaxTimeout(Duration.ofMillis(Math.max(30_000, intOption(options, "session.timeout.ms"))))
        .withRecoveryStrategy(Recovery.RECOVER)
        .build();
    ProxyClient<KvService> p = protocol.newProxy(PRIMITIVE, KvPrimitiveType.INSTANCE, KvService.class, new ServiceConfig(),
        c.getPartitionService());
    proxy = p;
    await(p.connect(), deadline, "sessions on every partition");
    partitions.addAll(p.getPartitionIds().stream().sorted().toList());
    if (partitions.size() != spec.shards()) {
      throw new EngineException("atomix data group has " + partitions.size() + " partitions, expected " + spec.shards(), false);
    }
    List<CompletableFuture<Void>> bound = new ArrayList<>();
    for (int s = 0; s < spec.shards(); s++) {
      ProxySession<KvService> session = p.getPartition(partitions.get(s));
      sessions.add(session);
      int shard = s;
      bound.add(session.accept(svc -> svc.bind(shard)));
    }
    await(CompletableFuture.allOf(bound.toArray(CompletableFuture[]::new)), deadline, "every partition to name its shard");
    LeaderWait.anyLeader(this, deadline, patience);
  }

  /**
   * Starts the client member, again (up to {@link #START_ATTEMPTS} times) when it loses the start-up
   * race described at {@link #swimRace}: CI saw the client's start fail so once, with the members up.
   */
  private Atomix startClient(long deadline) throws Exception {
    for (int attempt = 1; ; attempt++) {
      Atomix c = Atomix.builder(registry())
          .withClusterId(clusterId)
          .withMemberId(clusterId + "-client")
          .withAddress(new Address("127.0.0.1", freePort()))
          .withMessagingInterface("127.0.0.1")
          .withMembershipProvider(discovery())
          .withShutdownHook(false)
          .build();
      client = c;
      try {
        await(c.start(), deadline, "the client to join");
        return c;
      } catch (EngineException e) {
        if (attempt >= START_ATTEMPTS || !swimRace(e) || closed) {
          throw e;
        }
        org.slf4j.LoggerFactory.getLogger(AtomixEngine.class).warn(
            "the atomix client lost a start-up race in SWIM membership; starting it again: {}", e.getCause().toString());
        client = null;
        stop(c, "client");
      }
    }
  }

  private static <T> T await(CompletableFuture<T> f, long deadlineNanos, String what) throws Exception {
    try {
      return f.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new EngineException("atomix: timed out waiting for " + what, false, e);
    } catch (ExecutionException e) {
      throw new EngineException("atomix: failed waiting for " + what + ": " + e.getCause(), false, e.getCause());
    }
  }

  /** A free port (see {@link FreePorts}): Atomix advertises the port it binds, so it cannot bind 0 itself. */
  private static int freePort() throws IOException {
    return FreePorts.pick(1)[0];
  }

  private static io.atomix.core.AtomixRegistry registry() {
    return ClasspathScanningRegistry.builder()
        .withClassLoader(AtomixEngine.class.getClassLoader())
        .withWhitelistPackages(TYPE_PACKAGES)
        .build();
  }

  private NodeDiscoveryProvider discovery() {
    return BootstrapDiscoveryProvider.builder()
        .withNodes(members.stream()
            .map(m -> Node.builder().withId(m.memberId.id()).withAddress(new Address("127.0.0.1", m.port)).build())
            .toList())
        .build();
  }

  private Atomix server(Member m) {
    List<String> ids = members.stream().map(x -> x.memberId.id()).toList();
    StorageLevel level = storageLevel(options.get("storage"));
    return Atomix.builder(registry())
        .withClusterId(clusterId)
        .withMemberId(m.memberId)
        .withAddress(new Address("127.0.0.1", m.port))
        .withMessagingInterface("127.0.0.1")
        .withMembershipProvider(discovery())
        .withShutdownHook(false)
        .withManagementGroup(RaftPartitionGroup.builder(SYSTEM_GROUP)
            .withNumPartitions(1)
            .withMembers(ids)
            .withStorageLevel(level)
            .withFlushOnCommit(spec.fsync())
            .withDataDirectory(m.dir.resolve(SYSTEM_GROUP).toFile())
            .build())
        .withPartitionGroups(RaftPartitionGroup.builder(DATA_GROUP)
            .withNumPartitions(spec.shards())
            .withPartitionSize(spec.replication())
            .withMembers(ids)
            .withStorageLevel(level)
            .withMaxEntrySize(maxEntrySize)
            .withSegmentSize(intOption(options, "segment.size"))
            .withFlushOnCommit(spec.fsync())
            .withDataDirectory(m.dir.resolve(DATA_GROUP).toFile())
            .build())
        .build();
  }

  private static io.atomix.protocols.raft.ReadConsistency readConsistency(ReadConsistency reads) {
    return switch (reads) {
      case LINEARIZABLE -> io.atomix.protocols.raft.ReadConsistency.LINEARIZABLE;
      case LEASE -> io.atomix.protocols.raft.ReadConsistency.LINEARIZABLE_LEASE;
      case STALE -> io.atomix.protocols.raft.ReadConsistency.SEQUENTIAL;
    };
  }

  @Override
  public String name() {
    return "atomix";
  }

  @Override
  public int shards() {
    return spec.shards();
  }

  @Override
  public List<String> nodes() {
    return members.stream().map(m -> m.id).toList();
  }

  @Override
  public CompletableFuture<Reply> write(int shard, Command.Write write) {
    return call(shard, write, true);
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    return call(shard, read, false);
  }

  private CompletableFuture<Reply> call(int shard, Command command, boolean write) {
    if (closed) {
      return CompletableFuture.failedFuture(new EngineException("atomix cluster is closed", false));
    }
    if (shard < 0 || shard >= sessions.size()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no shard " + shard));
    }
    byte[] bytes;
    try {
      bytes = Codec.encode(command);
    } catch (IllegalArgumentException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    // the entry holds the command plus Atomix's session header and Kryo framing
    if (bytes.length > maxEntrySize - 1024) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("command of " + bytes.length
          + " bytes exceeds the limit of atomix's log entry (-E max.entry.size=" + maxEntrySize + ", minus 1 KB of framing)"));
    }
    ProxySession<KvService> session = sessions.get(shard);
    CompletableFuture<byte[]> sent = write ? session.apply(svc -> svc.write(bytes)) : session.apply(svc -> svc.read(bytes));
    return sent.handle((reply, error) -> {
          if (error == null) {
            return Codec.decodeReply(reply);
          }
          throw translate(shard, error);
        });
  }

  private static RuntimeException translate(int shard, Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof PrimitiveException.ServiceException) {
      return new EngineException("atomix shard " + shard + ": the service failed: " + e, false, e);
    }
    // everything else is the protocol's or the network's (Unavailable, Timeout, ClosedSession, and
    // CommandFailure or QueryFailure such as "Failed to reach consensus" while a leader is down):
    // the operation may or may not have happened, and may be tried again
    return new EngineException("atomix shard " + shard + ": " + e, true, e);
  }

  @Override
  public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
    Member m = member(node);
    if (m.atomix == null) {
      return CompletableFuture.failedFuture(new EngineException("atomix node " + node + " is stopped", true));
    }
    Map<Integer, KvStateMachine> replicas = KvPrimitiveService.REPLICAS.get(m.memberId.id());
    KvStateMachine state = replicas == null ? null : replicas.get(shard);
    if (state == null) {
      return CompletableFuture.failedFuture(new EngineException("atomix node " + node + " has no replica of shard " + shard
          + " (not a member, or not caught up yet)", true));
    }
    return CompletableFuture.completedFuture(state.read(read));
  }

  private Member member(String node) {
    return members.stream().filter(m -> m.id.equals(node)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no atomix node '" + node + "' (nodes: " + nodes() + ")"));
  }

  private Optional<RaftPartition> clientPartition(int shard) {
    Atomix c = client;
    if (c == null || shard >= partitions.size()) {
      return Optional.empty();
    }
    PartitionGroup group = c.getPartitionService().getPartitionGroup(DATA_GROUP);
    return group == null ? Optional.empty() : Optional.ofNullable((RaftPartition) group.getPartition(partitions.get(shard)));
  }

  /**
   * The leader as the shard's running replicas see it (the one with the highest term wins): the
   * client's own view is refreshed only by session keep-alives, seconds after a failover. Atomix
   * does not expose a partition's Raft server, so this reads two private fields; if a later Atomix
   * renames them, the client's view is used instead.
   */
  @Override
  public Optional<String> leader(int shard) {
    if (closed || shard < 0 || shard >= partitions.size()) {
      return Optional.empty();
    }
    MemberId best = null;
    long bestTerm = -1;
    boolean serversSeen = false;
    for (Member m : members) {
      RaftServer server = raftServer(m, shard);
      if (server == null) {
        continue;
      }
      serversSeen = true;
      RaftCluster cluster = server.cluster();
      RaftMember leader = cluster.getLeader();
      long term = cluster.getTerm();
      if (leader != null && term > bestTerm) {
        best = leader.memberId();
        bestTerm = term;
      }
    }
    if (!serversSeen && SERVER_FIELDS == null) {
      best = clientPartition(shard).map(RaftPartition::primary).orElse(null);
    }
    return best == null ? Optional.empty() : nodeOf(best).filter(n -> member(n).atomix != null);
  }

  /** RaftPartition.server and RaftPartitionServer.server, or null when this Atomix has other fields. */
  private static final Field[] SERVER_FIELDS = serverFields();

  private static Field[] serverFields() {
    try {
      return new Field[] {accessible(RaftPartition.class, "server"), accessible(RaftPartitionServer.class, "server")};
    } catch (ReflectiveOperationException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(AtomixEngine.class).warn("atomix leaders from the client's view only: {}", e.toString());
      return null;
    }
  }

  /** The member's running Raft server of the shard's partition, if it hosts one. */
  private RaftServer raftServer(Member m, int shard) {
    Atomix a = m.atomix;
    if (a == null || SERVER_FIELDS == null) {
      return null;
    }
    try {
      PartitionGroup g = a.getPartitionService().getPartitionGroup(DATA_GROUP);
      Object partition = g == null ? null : g.getPartition(partitions.get(shard));
      Object ps = partition == null ? null : SERVER_FIELDS[0].get(partition);
      RaftServer server = ps == null ? null : (RaftServer) SERVER_FIELDS[1].get(ps);
      return server != null && server.isRunning() ? server : null;
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  private Optional<String> nodeOf(MemberId id) {
    return members.stream().filter(m -> m.memberId.equals(id)).map(m -> m.id).findFirst();
  }

  @Override
  public List<String> members(int shard) {
    return clientPartition(shard).map(p -> p.members().stream().map(this::nodeOf).flatMap(Optional::stream).sorted().toList())
        .orElse(List.of());
  }

  @Override
  public void stopNode(String node) {
    Member m = member(node);
    Atomix a = m.atomix;
    if (a == null) {
      return;
    }
    m.atomix = null;
    stop(a, node);
    KvPrimitiveService.REPLICAS.remove(m.memberId.id());
  }

  @Override
  public void startNode(String node) {
    Member m = member(node);
    if (m.atomix != null) {
      return;
    }
    CompletableFuture<Void> started = startMember(m, 1);
    try {
      started.get(intOption(options, "start.timeout.secs"), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon(m, started);
      throw new EngineException("interrupted starting atomix node " + node, false, e);
    } catch (ExecutionException | TimeoutException e) {
      // stopped again, so that a later startNode tries afresh instead of seeing it running
      abandon(m, started);
      throw new EngineException("atomix node " + node + " did not start: " + (e.getCause() == null ? e : e.getCause()), false, e);
    }
  }

  private void abandon(Member m, CompletableFuture<Void> starting) {
    starting.cancel(false);
    Atomix a = m.atomix;
    m.atomix = null;
    if (a != null) {
      stop(a, m.id);
    }
  }

  /**
   * Starts a fresh Atomix instance for the member, and starts it afresh (up to {@link
   * #START_ATTEMPTS} times) when it loses the start-up race described at {@link #swimRace}.
   */
  private CompletableFuture<Void> startMember(Member m, int attempt) {
    KvPrimitiveService.REPLICAS.remove(m.memberId.id());
    Atomix a = server(m);
    m.atomix = a;
    // handled off Atomix's own threads: stopping an instance from one of its threads would wait on itself
    return a.start().handleAsync((started, error) -> {
      if (error == null) {
        try {
          keepSnapshotsOfEqualIndex(a);
        } catch (RuntimeException e) {
          m.atomix = null;
          stop(a, m.id);
          return CompletableFuture.<Void>failedFuture(e);
        }
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (attempt < START_ATTEMPTS && swimRace(error) && m.atomix == a && !closed) {
        org.slf4j.LoggerFactory.getLogger(AtomixEngine.class).warn(
            "atomix node {} lost a start-up race in SWIM membership; starting it again: {}", m.id, error.toString());
        m.atomix = null;
        stop(a, m.id);
        if (closed) { // closed while it stopped: start nothing more
          return CompletableFuture.<Void>failedFuture(error);
        }
        return startMember(m, attempt + 1);
      }
      return CompletableFuture.<Void>failedFuture(error);
    }, r -> {
      Thread t = new Thread(r, "atomix-start-" + m.id);
      t.setDaemon(true);
      t.start();
    }).thenCompose(f -> f);
  }

  private static final int START_ATTEMPTS = 3;

  /** DefaultRaftServer.context and RaftStorage.retainStaleSnapshots, or null when this Atomix has other fields. */
  private static final Field[] STORAGE_FIELDS = storageFields();

  private static Field[] storageFields() {
    try {
      return new Field[] {accessible(DefaultRaftServer.class, "context"), accessible(RaftStorage.class, "retainStaleSnapshots")};
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** A private field of an Atomix class, made readable (and, if final, writable) here. */
  private static Field accessible(Class<?> owner, String name) throws ReflectiveOperationException {
    Field f = owner.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /**
   * Guards against a race in Atomix 3.1.12 that loses a replica's snapshot. A follower that takes
   * its own snapshot at the same index as one its leader sends it writes both to the same file; the
   * snapshot store keeps one snapshot per index and deletes the file of whichever completes second,
   * which is the file of the first, and the log is then compacted up to that index. A restart
   * replays the compacted log without any snapshot, and the replica's service starts empty: every
   * write of the shard gone from that member (AtomixDurabilityTest caught it on the member that led
   * shard 1 after a full restart). With the storage's {@code retainStaleSnapshots} the store keeps the file;
   * the price is that a snapshot completing after a newer one stays on disk. RaftPartitionGroup
   * does not expose the flag, so it is set on every partition server of the member once it has
   * started: before any snapshot can complete (Atomix takes one 10 s after start at the earliest
   * and completes it 10 s later). If this Atomix has other fields, the member does not start.
   */
  private static void keepSnapshotsOfEqualIndex(Atomix a) {
    if (SERVER_FIELDS == null || STORAGE_FIELDS == null) {
      throw new EngineException("atomix: cannot reach the partitions' Raft storage to keep snapshots of equal index"
          + " (Atomix's internals differ from 3.1.12); without it a restart can lose a replica's data", false);
    }
    try {
      for (String name : List.of(SYSTEM_GROUP, DATA_GROUP)) {
        PartitionGroup group = a.getPartitionService().getPartitionGroup(name);
        for (Partition partition : group.getPartitions()) {
          Object partitionServer = SERVER_FIELDS[0].get(partition);
          Object server = partitionServer == null ? null : SERVER_FIELDS[1].get(partitionServer);
          if (server == null) {
            continue; // the member holds no replica of this partition
          }
          RaftStorage storage = ((RaftContext) STORAGE_FIELDS[0].get(server)).getStorage();
          STORAGE_FIELDS[1].setBoolean(storage, true);
          if (!storage.isRetainStaleSnapshots()) {
            throw new IllegalStateException("the flag did not change on " + partition.id());
          }
        }
      }
    } catch (IllegalAccessException | RuntimeException e) {
      throw new EngineException("atomix: could not set the partitions' storage to keep snapshots of equal index: " + e, false, e);
    }
  }

  /**
   * Atomix 3.1's SWIM protocol throws a NullPointerException from getMember for a member it has not
   * heard of yet; when peers start together, the partition-group bootstrap can ask about one and the
   * whole start fails. Nothing was written by then, so starting the node afresh is safe.
   */
  static boolean swimRace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NullPointerException
          && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("SwimMembershipProtocol"))) {
        return true;
      }
    }
    return false;
  }

  /** Takes a snapshot of the shard on every running member that holds it, and compacts its log. */
  void snapshot(int shard) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (String n : members(shard)) {
      if (member(n).atomix != null) {
        done.add(snapshotOn(n, shard));
      }
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
  }

  /** Takes a snapshot of the shard on one member and compacts its log; completes once compacted. */
  CompletableFuture<Void> snapshotOn(String node, int shard) {
    Atomix a = member(node).atomix;
    if (a == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("atomix node " + node + " is not running"));
    }
    PartitionGroup g = a.getPartitionService().getPartitionGroup(DATA_GROUP);
    return ((RaftPartition) g.getPartition(partitions.get(shard))).snapshot();
  }

  /** The data directory of a member's replica of the shard (for tests that look at the files). */
  Path partitionDir(String node, int shard) {
    Member m = member(node);
    return m.dir.resolve(DATA_GROUP).resolve("partitions").resolve(String.valueOf(partitions.get(shard).id()));
  }

  private static void stop(Atomix a, String what) {
    try {
      a.stop().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      org.slf4j.LoggerFactory.getLogger(AtomixEngine.class).warn("atomix {} did not stop cleanly: {}", what, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ProxyClient<KvService> p = proxy;
    if (p != null) {
      try {
        p.close().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // sessions expire with the cluster anyway
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
    Atomix c = client;
    if (c != null) {
      stop(c, "client");
    }
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (Member m : members) {
      Atomix a = m.atomix;
      m.atomix = null;
      if (a != null) {
        stopping.add(CompletableFuture.runAsync(() -> stop(a, m.id)));
      }
      KvPrimitiveService.REPLICAS.remove(m.memberId.id());
    }
    CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    dataDir.close();
  }
}
