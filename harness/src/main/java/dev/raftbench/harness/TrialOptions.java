package dev.raftbench.harness;

import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.engine.LogStorage;
import dev.raftbench.store.engine.NodeHosts;
import dev.raftbench.store.engine.ReadConsistency;
import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.shard.PartitionerSpec;
import dev.raftbench.store.shard.Partitioners;
import dev.raftbench.workloads.Workload;
import dev.raftbench.store.shard.Placements;
import dev.raftbench.workloads.WorkloadSpec;
import dev.raftbench.workloads.Workloads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options of one trial, shared by {@code run} and {@code sweep} (a picocli mixin): parsed and
 * validated into a {@link RunSpec}; bad input becomes a {@link CommandLine.ParameterException}.
 */
final class TrialOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "WORKLOAD", description = "built-in workload name or YCSB workload file")
  String workload;

  @Option(names = "--engine", defaultValue = "ratis", description = "engine (see 'harness list'; default ${DEFAULT-VALUE})")
  String engine;

  @Option(names = "--transport", description = "the engine's transport (default: the engine's first, e.g. grpc for ratis)")
  String transport;

  @Option(names = "--nodes", defaultValue = "3", description = "servers in the cluster (default ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--shards", defaultValue = "8", description = "shards, one Raft group each (default ${DEFAULT-VALUE})")
  int shards;

  @Option(names = "--replication", description = "replicas of each shard, at most --nodes (default min(3, nodes))")
  Integer replication;

  @Option(names = "--placement", description = "which nodes hold each shard: ring, groups, spread, consistent (default ring;"
      + " consistent with --coordinator ring)")
  String placement;

  @Option(names = "--hashing", description = "hashing scheme key -> shard: jump, modulo, ring, rendezvous, maglev, bounded, range, range-even (default jump)")
  String hashing;

  @Option(names = "--vnodes", defaultValue = "128", description = "points per shard with --hashing ring (default ${DEFAULT-VALUE})")
  int vnodes;

  @Option(names = "--balance-epsilon", defaultValue = "0.25", description = "with --hashing bounded: no shard holds more than"
      + " (1 + epsilon) x the mean share of the key space (default ${DEFAULT-VALUE})")
  double balanceEpsilon;

  @Option(names = "--threads", defaultValue = "16", description = "closed-loop worker threads (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--inflight", defaultValue = "1", description = "asynchronous operations each worker keeps outstanding (default ${DEFAULT-VALUE})")
  int inflight;

  @Option(names = "--target", paramLabel = "OPS", description = "open loop: start this many operations per second over all workers,"
      + " latency measured from each one's intended start (coordinated-omission corrected); default: closed loop")
  Double target;

  @Option(names = "--arrivals", defaultValue = "uniform", description = "open loop: uniform (evenly spaced) or poisson starts (default ${DEFAULT-VALUE})")
  String arrivals;

  @Option(names = "--noise-floor", defaultValue = "2s", converter = DurationConverter.class,
      description = "run the same client against noop this long first and report it as the noise floor; 0 = skip (default ${DEFAULT-VALUE})")
  Duration noiseFloor;

  @Option(names = "--retry-for", defaultValue = "30s", converter = DurationConverter.class,
      description = "how long the client retries an operation that failed for cluster reasons (no leader, leader changed,"
          + " timed out) before it counts as an error; 0 = no retries (default ${DEFAULT-VALUE})")
  Duration retryFor;

  @Option(names = "--warmup", defaultValue = "10s", converter = Warmup.Converter.class, paramLabel = "DURATION|auto[:MAX[:BLOCK]]",
      description = "warm-up, discarded: a fixed time, or auto: until the throughput (open loop: the median service time) over each"
          + " of 3 windows of 2 blocks of BLOCK (5s) is within 10%% of the window before and the JIT compilers of the trial's JVMs use"
          + " at most 10%% of a core, at most MAX (5m) (default ${DEFAULT-VALUE})")
  Warmup warmup;

  @Option(names = "--duration", converter = DurationConverter.class, description = "measured phase (default 45s, or, with --event,"
      + " until 20s after the last event's start and DOWN if that is later)")
  Duration duration;

  private static final Duration DEFAULT_DURATION = Duration.ofSeconds(45);
  /** With events and no --duration: how long the measured phase goes on after the last one. */
  private static final Duration AFTER_LAST_EVENT = Duration.ofSeconds(20);

  @Option(names = "--recordcount", description = "records to load (overrides the workload's recordcount)")
  Long recordcount;

  @Option(names = "-p", paramLabel = "KEY=VALUE", description = "override a workload property (repeatable)")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "-E", paramLabel = "KEY=VALUE", description = "engine-specific option (repeatable), e.g. -E raft.server.rpc.timeout.min=1s")
  Map<String, String> engineOptions = new LinkedHashMap<>();

  @Option(names = "--cluster", defaultValue = "embedded", description = "where the nodes run: embedded (in the trial's JVM;"
      + " etcd's members are child processes all the same), processes (each node a JVM of its own on 127.0.0.1, started"
      + " and watched by the trial: kill-leader is then a SIGKILL, pause-leader a SIGSTOP, slow-disk possible) or netns"
      + " (each such JVM in a network namespace of its own with its own address, so partition-leader can cut it off;"
      + " root and iproute2), or the path of a cluster file (YAML) naming node daemons somebody runs (harness node): the trial"
      + " drives them and starts nothing; the file sets engine, transport and the cluster's shape (default ${DEFAULT-VALUE})")
  String clusterMode;

  @Option(names = "--log", defaultValue = "disk", description = "Raft log storage: memory or disk (default ${DEFAULT-VALUE})")
  String log;

  @Option(names = "--fsync", defaultValue = "on", description = "force each write to disk before acknowledging it: on or off (default ${DEFAULT-VALUE})")
  String fsync;

  @Option(names = "--reads", defaultValue = "linearizable", description = "read consistency: linearizable, lease or stale (default ${DEFAULT-VALUE})")
  String reads;

  @Option(names = "--data-dir", description = "where disk logs go (default: a temporary directory, removed afterwards)")
  Path dataDir;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the workload's random streams (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", description = "write the bundle exactly here (default results/runs/<time>-<workload>-<engine>-<transport>/)")
  Path out;

  @Option(names = "--forks", defaultValue = "1", description = "1 (default): the trial runs in its own JVM with its engine's flags;"
      + " 0: in this JVM, for debugging and quick tests")
  int forks;

  @Option(names = "--jvm-arg", paramLabel = "ARG", description = "an argument for the forked trial JVM (repeatable), e.g. --jvm-arg -Xmx4g")
  List<String> jvmArgs = new ArrayList<>();

  @Option(names = "--trial-timeout", converter = DurationConverter.class,
      description = "kill a forked trial JVM still running after this long (default: warm-up + duration + noise floor + 20m + 1 s per 100 records)")
  Duration trialTimeout;

  @Option(names = "--no-verify", description = "skip the verify phase (by default every key written is read back after the run"
      + " and lost acknowledged writes are counted)")
  boolean noVerify;

  @Option(names = "--check-linearizability", description = "record every single-key operation (load and run) and check the history"
      + " for linearizability afterwards (Wing & Gong search, Lowe's memoisation, key by key); for small key spaces"
      + " (at most " + MAX_LINEARIZABILITY_KEYS + " records); a violation fails the trial")
  boolean checkLinearizability;

  static final long MAX_LINEARIZABILITY_KEYS = 5_000;

  @Option(names = "--event", paramLabel = "AT:ACTION[:DOWN]", description = "a fault during the measured phase (repeatable):"
      + " kill-leader (stop the node leading shard 0, start it again after DOWN, default 5s), kill-node (the same for a"
      + " follower of shard 0), restart-all (stop every node,"
      + " start them all after DOWN, default 0s), pause-leader (SIGSTOP the node leading shard 0, SIGCONT after DOWN,"
      + " default 5s; nodes that are processes, and etcd), partition-leader (cut the node leading shard 0 off from the"
      + " other nodes for DOWN, default 5s; the client still reaches it; --cluster netns) or slow-disk[=DELAY] (every"
      + " sync to disk of the node leading shard 0 takes DELAY longer, default 50ms, for DOWN, default 10s; --cluster"
      + " processes or netns), slow-disk-all[=DELAY] (the same on every node), add-node (a new node joins, shards move onto"
      + " it), remove-node (the lowest-numbered node's shards move off, then it leaves; both by --coordinator) or"
      + " transfer-leaders (every shard's leadership to its next member), e.g. 15s:kill-leader:5s, 20s:slow-disk=100ms:10s,"
      + " 20s:add-node")
  List<String> events = new ArrayList<>();

  @Option(names = "--coordinator", defaultValue = "pd", description = "who moves shards on add-node and remove-node: pd (a"
      + " placement driver that balances replicas and leaders, moving one replica at a time) or ring (placement derived from"
      + " the member list by consistent hashing, --placement consistent; every changed shard moved at once, no balancing)"
      + " (default ${DEFAULT-VALUE})")
  String coordinator;

  @Option(names = "--client", defaultValue = "native", description = "with --cluster FILE: native (the sharded client on the engine's"
      + " own protocol) or http (every operation through the nodes' HTTP front doors, in turn) (default ${DEFAULT-VALUE})")
  String client;

  @Option(names = "--quiet", description = "no progress lines on stderr")
  boolean quiet;

  @Option(names = "--verbose", description = "stack traces on failure")
  boolean verbose;


  /** What a cluster file sets: given beside {@code --cluster FILE}, any of them is refused. */
  private static final List<String> CLUSTER_FILE_SETS = List.of("--engine", "--transport", "--nodes", "--shards", "--replication",
      "--placement", "--hashing", "--vnodes", "--log", "--fsync", "--reads", "-E", "--data-dir", "--coordinator");

  /**
   * {@code --cluster FILE}: the cluster file's daemons, engine and shape (the options it sets take
   * its values); null for a cluster mode.
   */
  private ClusterFile clusterFile() {
    if (List.of("embedded", "processes", "netns").contains(clusterMode.toLowerCase(java.util.Locale.ROOT)) || !ClusterFile.named(clusterMode)) {
      return null;
    }
    ClusterFile file;
    try {
      file = ClusterFile.load(Path.of(clusterMode));
    } catch (IllegalArgumentException e) {
      throw bad("--cluster " + e.getMessage());
    }
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (String option : CLUSTER_FILE_SETS) {
      if (parsed != null && parsed.hasMatchedOption(option)) {
        throw bad(option + ": the cluster file " + clusterMode + " sets the engine and the cluster's shape; leave " + option + " out");
      }
    }
    if (!events.isEmpty()) {
      throw bad("--event: the nodes of a cluster file are daemons this trial did not start; it neither stops, freezes, cuts off nor"
          + " moves them (faults need --cluster processes or netns)");
    }
    EngineSpec c = file.spec();
    engine = file.engine();
    transport = c.transport();
    nodes = c.nodes();
    shards = c.shards();
    replication = c.replication();
    placement = c.placement();
    hashing = file.hashing();
    vnodes = file.vnodes();
    log = c.log().name().toLowerCase(java.util.Locale.ROOT);
    fsync = c.fsync() ? "on" : "off";
    reads = c.reads().name().toLowerCase(java.util.Locale.ROOT);
    return file;
  }

  /** The trial these options describe; {@code target} overrides --target (null keeps it). */
  RunSpec toRunSpec(Double targetOverride) {
    ClusterFile file = clusterFile();
    if (!client.equals("native") && !client.equals("http")) {
      throw bad("--client must be native or http, was '" + client + "'");
    }
    if (client.equals("http")) {
      if (file == null) {
        throw bad("--client http drives the HTTP front doors of node daemons: add --cluster FILE");
      }
      if (file.nodes().stream().allMatch(n -> n.http() == null)) {
        throw bad("--client http: no node of " + file.path() + " has an http address (nodes: - id: n1 ... http: HOST:PORT)");
      }
      if (checkLinearizability) {
        throw bad("--client http: --check-linearizability needs the native client's operation history");
      }
    }
    positive("--nodes", nodes);
    positive("--shards", shards);
    positive("--threads", threads);
    positive("--inflight", inflight);
    positive("--vnodes", vnodes);
    if (!(balanceEpsilon > 0) || !Double.isFinite(balanceEpsilon)) {
      throw bad("--balance-epsilon must be a positive number, was " + balanceEpsilon);
    }
    if (forks != 0 && forks != 1) {
      throw bad("--forks must be 0 (in this JVM) or 1 (its own JVM), was " + forks);
    }
    if (trialTimeout != null && trialTimeout.isZero()) {
      throw bad("--trial-timeout must be longer than 0 s");
    }
    if (targetOverride != null && !(targetOverride > 0 && Double.isFinite(targetOverride))) {
      throw bad("a target rate must be a positive number of operations per second, was " + targetOverride);
    }
    if (target != null && !(target > 0 && Double.isFinite(target))) {
      throw bad("--target must be a positive number of operations per second, was " + target);
    }
    if (!arrivals.equals("uniform") && !arrivals.equals("poisson")) {
      throw bad("--arrivals must be uniform or poisson, was '" + arrivals + "'");
    }
    if (duration != null && duration.isZero()) {
      throw bad("--duration must be longer than 0 s");
    }
    if (out != null && java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
      throw bad("--out " + out + " is a file, not a directory");
    }
    Map<String, String> overrides = new LinkedHashMap<>(properties);
    if (recordcount != null) {
      if (recordcount <= 0) {
        throw bad("--recordcount must be positive, was " + recordcount);
      }
      overrides.put("recordcount", Long.toString(recordcount));
    }
    try {
      WorkloadSpec w = Workloads.load(workload, overrides);
      if (checkLinearizability && w.recordCount > MAX_LINEARIZABILITY_KEYS) {
        throw new IllegalArgumentException("--check-linearizability is for small key spaces: at most " + MAX_LINEARIZABILITY_KEYS
            + " records, the workload has " + w.recordCount + " (set --recordcount)");
      }
      if (!w.unknownProperties().isEmpty() && !quiet && !Boolean.getBoolean(TrialFork.FORKED_PROPERTY)) {
        spec.commandLine().getErr().println("harness: warning: workload properties RaftBench does not read (kept in the bundle): "
            + String.join(", ", w.unknownProperties()));
        spec.commandLine().getErr().flush();
      }
      EngineProvider provider = Engines.byName(engine);
      String t = Engines.transport(provider, transport);
      String h = hashing == null ? Partitioners.defaultName() : hashing;
      Partitioners.check(h);
      // built once here, so a key space the scheme cannot split is bad input, found before anything forks
      Partitioners.create(h, new PartitionerSpec(shards, vnodes,
          Partitioners.needsKeySample(h) ? new Workload(w).keySample(100_000) : List.of(), balanceEpsilon));
      int k = replication == null ? Math.min(3, nodes) : replication;
      if (!Coordinator.NAMES.contains(coordinator)) {
        throw new IllegalArgumentException("unknown coordinator '" + coordinator + "' (known: " + String.join(", ", Coordinator.NAMES) + ")");
      }
      if (coordinator.equals("ring") && placement != null && !placement.equals("consistent")) {
        throw new IllegalArgumentException("--coordinator ring places shards by consistent hashing of the member list: use --placement"
            + " consistent, or leave --placement out");
      }
      String pl = placement != null ? placement : coordinator.equals("ring") ? "consistent" : Placements.defaultName();
      ClusterMode mode = file != null ? ClusterMode.EXTERNAL : ClusterMode.parse(clusterMode);
      if (mode.processes() && !provider.capabilities().contains(Capability.PROCESSES)) {
        throw new IllegalArgumentException("--cluster " + mode.label() + ": " + new UnsupportedCapabilityException(engine, Capability.PROCESSES).getMessage());
      }
      if (mode == ClusterMode.NETNS) {
        if (!provider.capabilities().contains(Capability.PARTITION)) {
          throw new IllegalArgumentException("--cluster netns: the " + engine + " engine cannot run its nodes in network namespaces ("
              + Capability.PARTITION + " is not supported)");
        }
      }
      EngineSpec cluster = file != null ? file.spec() : new EngineSpec(nodes, shards, k, pl, t, LogStorage.parse(log), parseFsync(),
          ReadConsistency.parse(reads), dataDir, engineOptions, mode);
      provider.validate(cluster);
      List<Faults.Event> faults = new ArrayList<>();
      for (String e : events) {
        faults.add(Faults.parse(e));
      }
      Duration measured = duration != null ? duration : faults.stream().map(ev -> ev.at().plus(ev.down()).plus(AFTER_LAST_EVENT))
          .max(Duration::compareTo).filter(d -> d.compareTo(DEFAULT_DURATION) > 0).orElse(DEFAULT_DURATION);
      for (int i = 0; i < faults.size(); i++) {
        if (faults.get(i).at().compareTo(measured) >= 0) {
          throw new IllegalArgumentException("--event " + events.get(i) + " falls after the measured phase (" + DurationConverter.human(measured) + ")");
        }
      }
      Set<Capability> here = provider.capabilities(cluster);
      for (Faults.Event ev : faults) {
        Capability needed = Faults.needs(ev.action());
        if (!here.contains(needed)) {
          throw new IllegalArgumentException("--event " + ev.action() + ": " + new UnsupportedCapabilityException(engine, needed).getMessage()
              + (provider.capabilities().contains(needed) ? " as configured here" + Faults.hint(needed, mode) : ""));
        }
      }
      if (mode == ClusterMode.NETNS) { // last: the other checks hold on any machine
        String reason = NodeHosts.unavailableReason();
        if (reason != null) {
          throw new IllegalArgumentException("--cluster netns: " + reason);
        }
      }
      if (faults.stream().anyMatch(ev -> Faults.needs(ev.action()) == Capability.NODE_STOP_START) && cluster.log() == LogStorage.MEMORY) {
        throw new IllegalArgumentException("--event needs --log disk: a node restarted with a memory log would come back empty");
      }
      if (faults.stream().anyMatch(ev -> ev.action().startsWith("slow-disk")) && (cluster.log() == LogStorage.MEMORY || !cluster.fsync())) {
        throw new IllegalArgumentException("--event slow-disk needs --log disk and --fsync on: it slows the log's syncs to disk,"
            + " and otherwise there are none to slow");
      }
      if (checkLinearizability && !provider.storesData()) {
        throw new IllegalArgumentException("--check-linearizability: the " + engine + " engine stores nothing, so there is nothing to check");
      }
      if (!provider.capabilities(cluster).contains(Capability.PLACEMENT) && (placement != null || replication != null)) {
        throw new IllegalArgumentException(new UnsupportedCapabilityException(engine, Capability.PLACEMENT).getMessage());
      }
      Path dir = out != null ? out : Path.of("results", "runs",
          LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + w.name() + "-" + engine + "-" + t
              + (spec.name().equals("run") ? "" : "-" + spec.name()));
      return new RunSpec(workload, w, engine, cluster, h, vnodes, threads, inflight, warmup, measured, seed, dir,
          targetOverride != null ? targetOverride : target, arrivals, noiseFloor, balanceEpsilon, !noVerify, checkLinearizability,
          List.copyOf(faults), coordinator, retryFor, file, client);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private boolean parseFsync() {
    return switch (fsync) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("--fsync must be on or off, was '" + fsync + "'");
    };
  }

  private void positive(String option, int value) {
    if (value <= 0) {
      throw bad(option + " must be positive, was " + value);
    }
  }

  CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
