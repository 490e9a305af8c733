package dev.raftbench.etcd;

import dev.raftbench.store.engine.DataDir;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.FreePorts;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real etcd clusters driven through jetcd. Each shard is one etcd cluster (one Raft group) of k
 * members on the nodes {@link EngineSpec#layout()} gives; a node is the set of etcd processes it
 * hosts, so stopping a node kills each of them. With {@code -E endpoints=...} the engine drives
 * one cluster the user runs instead and starts nothing.
 *
 * <p>A record is one etcd value (our {@link Codec} encoding of its fields) under its key; an
 * update is a read then a compare-and-swap on the key's mod revision, retried on conflict.
 */
final class EtcdEngine implements Engine {
  static final String TRANSPORT = "grpc";
  private static final ByteSequence READY_KEY = ByteSequence.from("raftbench-ready", StandardCharsets.UTF_8);
  /** jetcd's "every key from here on": a range end of one zero byte. */
  private static final ByteSequence TO_THE_END = ByteSequence.from(new byte[] {0});
  /** A member answering from its own state, without asking the leader. */
  private static final GetOption OWN_STATE = GetOption.builder().withSerializable(true).build();
  private static final int MAX_UPDATE_ATTEMPTS = 1000;
  private static final int MAX_INBOUND_BYTES = 256 << 20;

  private final EngineSpec spec;
  private final EtcdOptions options;
  private final DataDir dataDir;
  private final List<String> nodes;
  /** Per shard: its members, in layout order. */
  private final List<List<EtcdMember>> shardMembers;
  private final List<EtcdMember> all;
  private final List<Client> shardClients = new ArrayList<>();
  private final Map<EtcdMember, Client> memberClients = new ConcurrentHashMap<>();
  private final ExecutorService executor;
  private final Thread killOnExit;
  private final GetOption readOption;
  private final boolean serializable;
  private volatile boolean closed;
  /** The version the first member reports, once the cluster is up (null before). */
  private volatile String version;

  private EtcdEngine(EngineSpec spec, EtcdOptions options, DataDir dataDir, List<String> nodes,
      List<List<EtcdMember>> shardMembers) {
    this.spec = spec;
    this.options = options;
    this.dataDir = dataDir;
    this.nodes = List.copyOf(nodes);
    this.shardMembers = shardMembers;
    this.all = shardMembers.stream().flatMap(List::stream).toList();
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "etcd-client-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.serializable = spec.reads() == ReadConsistency.STALE;
    this.readOption = GetOption.builder().withSerializable(serializable).build();
    this.killOnExit = new Thread(() -> all.stream().filter(EtcdMember::ours).forEach(m -> m.process.kill()), "etcd-kill-on-exit");
  }

  static EtcdEngine start(EngineSpec spec) throws Exception {
    EtcdOptions options = EtcdOptions.parse(spec);
    return options.external() ? external(spec, options) : children(spec, options);
  }

  /** Starts each shard's cluster as child processes on 127.0.0.1, every port picked by the kernel. */
  private static EtcdEngine children(EngineSpec spec, EtcdOptions options) throws Exception {
    DataDir dataDir = DataDir.of(spec, "etcd");
    try {
      return children(spec, options, dataDir);
    } catch (Exception | Error e) {
      dataDir.close(); // close() of a started engine closed it already: a second close finds nothing
      throw e;
    }
  }

  private static EtcdEngine children(EngineSpec spec, EtcdOptions options, DataDir dataDir) throws Exception {
    List<String> nodes = nodeIds(spec.nodes());
    List<List<Integer>> layout = spec.layout();
    int[] ports = FreePorts.pick(2 * layout.stream().mapToInt(List::size).sum());
    String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong());
    List<List<EtcdMember>> shardMembers = new ArrayList<>();
    int p = 0;
    for (int s = 0; s < layout.size(); s++) {
      List<String> names = new ArrayList<>();
      List<URI> clientUrls = new ArrayList<>();
      List<URI> peerUrls = new ArrayList<>();
      for (int idx : layout.get(s)) {
        names.add(nodes.get(idx));
        clientUrls.add(URI.create("http://127.0.0.1:" + ports[p++]));
        peerUrls.add(URI.create("http://127.0.0.1:" + ports[p++]));
      }
      StringBuilder initial = new StringBuilder();
      for (int i = 0; i < names.size(); i++) {
        initial.append(i == 0 ? "" : ",").append(names.get(i)).append('=').append(peerUrls.get(i));
      }
      List<EtcdMember> members = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        Path dir = dataDir.path().resolve(names.get(i)).resolve("shard-" + s);
        members.add(new EtcdMember(names.get(i), s, clientUrls.get(i), dir,
            command(spec, options, names.get(i), dir, clientUrls.get(i), peerUrls.get(i), initial.toString(),
                "raftbench-" + nonce + "-shard-" + s)));
      }
      shardMembers.add(List.copyOf(members));
    }
    EtcdEngine engine = new EtcdEngine(spec, options, dataDir, nodes, List.copyOf(shardMembers));
    try {
      Runtime.getRuntime().addShutdownHook(engine.killOnExit);
      for (EtcdMember m : engine.all) {
        m.process.start();
      }
      for (int s = 0; s < shardMembers.size(); s++) {
        engine.shardClients.add(engine.client(shardMembers.get(s).stream().map(m -> m.clientUrl).toList()));
      }
      engine.awaitReady();
      return engine;
    } catch (Exception | Error e) {
      engine.close();
      throw e;
    }
  }

  /** One cluster the user runs: node i is the member behind endpoint i. */
  private static EtcdEngine external(EngineSpec spec, EtcdOptions options) throws Exception {
    List<String> nodes = nodeIds(options.endpoints().size());
    List<EtcdMember> members = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      members.add(new EtcdMember(nodes.get(i), 0, options.endpoints().get(i), null, List.of()));
    }
    EtcdEngine engine = new EtcdEngine(spec, options, null, nodes, List.of(List.copyOf(members)));
    try {
      engine.shardClients.add(engine.client(options.endpoints()));
      engine.awaitReady();
      GetResponse there = engine.shardClients.get(0).getKVClient()
          .get(ByteSequence.from(new byte[] {0}), GetOption.builder().withRange(TO_THE_END).withCountOnly(true).build())
          .get(options.requestTimeoutMs(), TimeUnit.MILLISECONDS);
      if (there.getCount() > 0) {
        throw new IllegalArgumentException("the cluster at " + options.endpoints() + " already holds " + there.getCount()
            + " keys under the prefix '" + options.prefix() + "': delete them (etcdctl del --prefix '"
            + options.prefix() + "') or pass -E prefix=<another>");
      }
      return engine;
    } catch (Exception | Error e) {
      engine.close();
      throw e;
    }
  }

  private static List<String> command(EngineSpec spec, EtcdOptions o, String name, Path dir, URI client, URI peer,
      String initialCluster, String token) {
    List<String> c = new ArrayList<>(List.of(
        o.binary(),
        "--name", name,
        "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", client.toString(),
        "--advertise-client-urls", client.toString(),
        "--listen-peer-urls", peer.toString(),
        "--initial-advertise-peer-urls", peer.toString(),
        "--initial-cluster", initialCluster,
        "--initial-cluster-token", token,
        "--initial-cluster-state", "new",
        "--logger", "zap",
        "--log-outputs", "stderr"));
    c.addAll(sharedFlags(spec, o));
    return c;
  }

  /** The flags every member gets that shape performance and durability: recorded in the bundle. */
  private static List<String> sharedFlags(EngineSpec spec, EtcdOptions o) {
    List<String> c = new ArrayList<>(List.of(
        "--heartbeat-interval", String.valueOf(o.heartbeatMs()),
        "--election-timeout", String.valueOf(o.electionMs()),
        "--snapshot-count", String.valueOf(o.snapshotCount()),
        "--max-request-bytes", String.valueOf(EtcdOptions.MAX_REQUEST_BYTES),
        // MVCC keeps every revision until compacted: keep one minute, as a long-running store would
        "--auto-compaction-mode", "periodic",
        "--auto-compaction-retention", "1m"));
    if (!spec.fsync()) {
      // accepted by 3.4.23 though its --help does not list it: the WAL is then never fsynced
      c.add("--unsafe-no-fsync");
    }
    return c;
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("etcd.version", version);
    m.put("etcd.cluster", options.external() ? "given by -E endpoints: " + options.endpoints()
        : shards() + " cluster(s) of child processes on 127.0.0.1, " + shardMembers.get(0).size() + " members each");
    if (!options.external()) {
      m.put("etcd.flags", String.join(" ", sharedFlags(spec, options)));
    }
    m.put("client", "jetcd, one client per shard over its members (round robin); update = get + txn on the mod revision");
    m.put("request.timeout.ms", String.valueOf(options.requestTimeoutMs()));
    if (!options.prefix().isEmpty()) {
      m.put("prefix", options.prefix());
    }
    return m;
  }

  private Client client(List<URI> endpoints) {
    ClientInterceptor deadline = new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions call, Channel next) {
        return next.newCall(method, call.getDeadline() != null ? call
            : call.withDeadlineAfter(options.requestTimeoutMs(), TimeUnit.MILLISECONDS));
      }
    };
    var b = Client.builder().endpoints(endpoints).executorService(executor).maxInboundMessageSize(MAX_INBOUND_BYTES)
        .connectTimeout(Duration.ofSeconds(5)).retryMaxDuration(Duration.ofMillis(options.requestTimeoutMs()))
        .interceptor(deadline);
    if (!options.prefix().isEmpty()) {
      b.namespace(ByteSequence.from(options.prefix(), StandardCharsets.UTF_8));
    }
    return b.build();
  }

  /** Returns once every shard's cluster answers a linearizable read (so has a leader). */
  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.startTimeoutSecs());
    for (int s = 0; s < shardClients.size(); s++) {
      Exception last = null;
      while (true) {
        for (EtcdMember m : shardMembers.get(s)) {
          if (m.ours() && !m.process.alive()) {
            throw new EngineException("etcd member " + m + " exited while starting; the end of its log ("
                + m.log() + "):\n" + m.process.logTail(2000), false);
          }
        }
        try {
          shardClients.get(s).getKVClient().get(READY_KEY).get(2, TimeUnit.SECONDS);
          break;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          last = e;
        }
        if (System.nanoTime() > deadline) {
          throw new EngineException("etcd cluster of shard " + s + " at "
              + shardMembers.get(s).stream().map(m -> m.clientUrl.toString()).toList() + " did not answer within "
              + options.startTimeoutSecs() + " s (-E start.timeout.secs): " + (last instanceof java.util.concurrent.TimeoutException
                  ? "no member reachable, or no leader elected" : rootMessage(last)), false, last);
        }
        Thread.sleep(100);
      }
    }
    EtcdMember first = shardMembers.get(0).get(0);
    version = shardClients.get(0).getMaintenanceClient().statusMember(first.clientUrl.toString())
        .get(options.requestTimeoutMs(), TimeUnit.MILLISECONDS).getVersion();
  }

  private static List<String> nodeIds(int n) {
    int width = String.valueOf(n).length();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("n" + String.format("%0" + width + "d", i + 1));
    }
    return List.copyOf(ids);
  }

  // ---------------------------------------------------------------- Engine

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public int shards() {
    return shardMembers.size();
  }

  @Override
  public List<String> nodes() {
    return nodes;
  }

  /** The etcd client URL of the node's member in the shard's cluster (for tests and the report). */
  URI clientUrl(String node, int shard) {
    return member(node, shard).clientUrl;
  }

  /** Where the node's member of the shard keeps its data (its {@code member/snap} and {@code member/wal}). */
  Path memberDataDir(String node, int shard) {
    return member(node, shard).dir.resolve("data");
  }

  @Override
  public CompletableFuture<Reply> write(int shard, Command.Write write) {
    try {
      KV kv = shardClients.get(shard).getKVClient();
      ByteSequence key = key(write.key());
      CompletableFuture<Reply> f;
      if (write instanceof Command.Put p) {
        f = kv.put(key, value(p.record())).thenApply(r -> Reply.DONE);
      } else if (write instanceof Command.Update u) {
        f = update(kv, key, u.fields(), 1);
      } else {
        f = kv.delete(key).thenApply(r -> r.getDeleted() == 0 ? Reply.MISSING : Reply.DONE);
      }
      return translated(f);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Read, merge, then write only if nobody wrote the key in between (its mod revision unchanged). */
  private CompletableFuture<Reply> update(KV kv, ByteSequence key, Record fields, int attempt) {
    if (attempt > MAX_UPDATE_ATTEMPTS) {
      return CompletableFuture.failedFuture(new EngineException("update of " + key + " lost the compare-and-swap "
          + MAX_UPDATE_ATTEMPTS + " times in a row", true));
    }
    // a linearizable read whatever --reads says: the merge must start from the latest record
    return kv.get(key).thenCompose(got -> {
      if (got.getKvs().isEmpty()) {
        return CompletableFuture.completedFuture(Reply.MISSING);
      }
      KeyValue current = got.getKvs().get(0);
      ByteSequence merged = value(record(current).merge(fields));
      return kv.txn()
          .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.getModRevision())))
          .Then(Op.put(key, merged, PutOption.DEFAULT))
          .commit()
          .thenCompose(t -> t.isSucceeded() ? CompletableFuture.completedFuture(Reply.DONE)
              : update(kv, key, fields, attempt + 1));
    });
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    return read(shardClients.get(shard).getKVClient(), read, readOption, serializable);
  }

  @Override
  public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
    EtcdMember m = member(node, shard);
    Client c = memberClients.computeIfAbsent(m, x -> client(List.of(x.clientUrl)));
    return read(c.getKVClient(), read, OWN_STATE, true);
  }

  private CompletableFuture<Reply> read(KV kv, Command.Read read, GetOption getOption, boolean serializableScan) {
    try {
      CompletableFuture<Reply> f;
      if (read instanceof Command.Get g) {
        f = kv.get(key(g.key()), getOption).thenApply(r -> r.getKvs().isEmpty() ? Reply.MISSING
            : new Reply.Found(record(r.getKvs().get(0)).select(g.fields())));
      } else {
        Command.Scan s = (Command.Scan) read;
        GetOption o = GetOption.builder().withRange(TO_THE_END).withLimit(s.limit()).withSortField(GetOption.SortTarget.KEY)
            .withSortOrder(GetOption.SortOrder.ASCEND).withSerializable(serializableScan).build();
        f = kv.get(key(s.key()), o).thenApply(r -> {
          List<Reply.Row> rows = new ArrayList<>(r.getKvs().size());
          for (KeyValue kvp : r.getKvs()) {
            rows.add(new Reply.Row(kvp.getKey().toString(StandardCharsets.UTF_8), record(kvp).select(s.fields())));
          }
          return new Reply.Rows(rows);
        });
      }
      return translated(f);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static ByteSequence key(String key) {
    return ByteSequence.from(key, StandardCharsets.UTF_8);
  }

  private static ByteSequence value(Record record) {
    byte[] b = Codec.encode(new Reply.Found(record));
    if (b.length > Codec.MAX_COMMAND_BYTES) {
      throw new IllegalArgumentException("record of " + b.length + " bytes exceeds the limit of "
          + Codec.MAX_COMMAND_BYTES + " bytes");
    }
    return ByteSequence.from(b);
  }

  private static Record record(KeyValue kv) {
    Reply r = Codec.decodeReply(kv.getValue().getBytes());
    if (r instanceof Reply.Found f) {
      return f.record();
    }
    throw new EngineException("key " + kv.getKey() + " holds a value RaftBench did not write", false);
  }

  /** The same outcome with etcd's failures translated: one more future per operation, no more. */
  private static CompletableFuture<Reply> translated(CompletableFuture<Reply> f) {
    CompletableFuture<Reply> out = new CompletableFuture<>();
    f.whenComplete((r, t) -> {
      if (t == null) {
        out.complete(r);
      } else {
        out.completeExceptionally(translate(t));
      }
    });
    return out;
  }

  /** etcd's refusals become IllegalArgumentException; trouble with the cluster a retriable EngineException. */
  static Throwable translate(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof IllegalArgumentException || c instanceof EngineException) {
      return c;
    }
    if (c instanceof EtcdException e) {
      return switch (e.getErrorCode()) {
        case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS, NOT_FOUND, UNIMPLEMENTED ->
            new IllegalArgumentException("etcd refused the request: " + e.getMessage(), e);
        case PERMISSION_DENIED, UNAUTHENTICATED, RESOURCE_EXHAUSTED, DATA_LOSS ->
            new EngineException("etcd: " + e.getMessage(), false, e);
        default -> new EngineException("etcd: " + e.getMessage(), true, e);
      };
    }
    return new EngineException("etcd client: " + c, true, c);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c != null && c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c == null ? "no answer" : c.toString();
  }

  @Override
  public Optional<String> leader(int shard) {
    // every live member says whom it follows; the answer of the highest term wins
    Client c = shardClients.get(shard);
    long bestTerm = -1;
    long leaderId = 0;
    Map<Long, String> ids = new HashMap<>();
    for (EtcdMember m : shardMembers.get(shard)) {
      if (m.ours() && !m.process.alive()) {
        continue;
      }
      try {
        StatusResponse s = c.getMaintenanceClient().statusMember(m.clientUrl.toString()).get(2, TimeUnit.SECONDS);
        ids.put(s.getHeader().getMemberId(), m.node);
        if (s.getLeader() != 0 && s.getRaftTerm() > bestTerm) {
          bestTerm = s.getRaftTerm();
          leaderId = s.getLeader();
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        // this member does not answer: ask the others
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return Optional.ofNullable(ids.get(leaderId));
  }

  @Override
  public List<String> members(int shard) {
    return shardMembers.get(shard).stream().map(m -> m.node).sorted().toList();
  }

  @Override
  public void stopNode(String node) {
    for (EtcdMember m : membersOn(node)) {
      Client c = memberClients.remove(m);
      if (c != null) {
        c.close();
      }
      m.process.kill();
    }
  }

  @Override
  public void startNode(String node) {
    for (EtcdMember m : membersOn(node)) {
      try {
        m.process.start();
      } catch (IOException e) {
        throw new EngineException("could not restart etcd member " + m + ": " + e.getMessage(), false, e);
      }
    }
  }

  @Override
  public void pauseNode(String node) {
    membersOn(node).forEach(m -> m.process.pause());
  }

  @Override
  public void resumeNode(String node) {
    membersOn(node).forEach(m -> m.process.resume());
  }

  private List<EtcdMember> membersOn(String node) {
    if (options.external()) {
      throw new UnsupportedCapabilityException(name() + " on a cluster given by -E endpoints", Capability.NODE_STOP_START);
    }
    if (!nodes.contains(node)) {
      throw new IllegalArgumentException("no node " + node + " (nodes: " + nodes + ")");
    }
    return all.stream().filter(m -> m.node.equals(node)).toList();
  }

  private EtcdMember member(String node, int shard) {
    return shardMembers.get(shard).stream().filter(m -> m.node.equals(node)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("node " + node + " holds no replica of shard " + shard));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (options.external() && !options.keep() && version != null) {
      try {
        shardClients.get(0).getKVClient()
            .delete(ByteSequence.from(new byte[] {0}), io.etcd.jetcd.options.DeleteOption.builder().withRange(TO_THE_END).build())
            .get(options.requestTimeoutMs(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        System.getLogger(EtcdEngine.class.getName()).log(System.Logger.Level.WARNING,
            "could not delete the keys under '" + options.prefix() + "': " + rootMessage(e));
      }
    }
    memberClients.values().forEach(Client::close);
    memberClients.clear();
    shardClients.forEach(Client::close);
    executor.shutdownNow();
    all.parallelStream().filter(EtcdMember::ours).forEach(m -> m.process.stop(10));
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
      // nothing to remove
    }
    if (dataDir != null) {
      dataDir.close();
    }
  }
}
