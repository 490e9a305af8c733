package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every mistake a user can make on the command line: one line naming it, exit code 2, nothing started. */
class BadInputTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "run workload-z                                   | unknown workload 'workload-z'",
      "run /no/such/file                                | unknown workload '/no/such/file'",
      "run workload-a --engine nosuch                   | unknown engine 'nosuch' (known: atomix, etcd, local, lossy-test, noop, ratis, slow-test, sofajraft, stale-test, synthetic)",
      "run workload-a --transport carrier-pigeon        | unknown transport 'carrier-pigeon' for engine ratis (known: grpc, netty)",
      "run workload-a -p readproportion                 | should be in KEY=VALUE format",
      "run workload-a -p readproportion=lots            | workload property readproportion: 'lots' is not a number",
      "run workload-a --duration -5s                    | '-5s' is not a duration",
      "run workload-a --duration soon                   | 'soon' is not a duration",
      "run workload-a --warmup soon                     | 'soon' is not a duration",
      "run workload-a --warmup automatic                | 'automatic' is not auto[:MAX[:BLOCK]]",
      "run workload-a --warmup auto:5s:1s               | 'auto:5s:1s': at most 5 s leaves no room for 6 blocks of 1 s",
      "run workload-a --warmup auto:1m:10ms             | 'auto:1m:10ms': a block of at least 100ms",
      "run workload-a --recordcount -3                  | --recordcount must be positive, was -3",
      "run workload-a --nodes 0                         | --nodes must be positive, was 0",
      "run workload-a --threads -1                      | --threads must be positive, was -1",
      "run workload-a --log tape                        | unknown log storage 'tape'",
      "run workload-a --hashing astrology               | unknown hashing scheme 'astrology'",
      "run workload-a --placement scatter               | unknown placement 'scatter'",
      "run workload-a --replication 4                   | replication must lie in [1, nodes = 3], was 4",
      "run workload-a --engine local --replication 1    | PLACEMENT is not supported by the local engine",
      "run workload-a --no-such-flag                    | Unknown option: '--no-such-flag'",
      "run workload-a --target 0                        | --target must be a positive number of operations per second",
      "run workload-a -p readproportion=0.9             | the operation proportions sum to 1.4, not 1",
      "run workload-a -p fieldlengthdistribution=histogram -p fieldlengthhistogram=/no/hist | fieldlengthhistogram: cannot read /no/hist",
      "run workload-a -p dataintegrity=yes              | workload property dataintegrity: 'yes' is not true or false (-p dataintegrity)",
      "run workload-a --target 500 --arrivals bursty    | --arrivals must be uniform or poisson, was 'bursty'",
      "run workload-a --forks 2                         | --forks must be 0 (in this JVM) or 1 (its own JVM), was 2",
      "run workload-a --fsync maybe                     | --fsync must be on or off, was 'maybe'",
      "run workload-a --repeat 0                        | --repeat must be positive, was 0",
      "sweep workload-a --target 500                    | a sweep sets the target of each step",
      "sweep workload-a --rates 100,-2                  | --rates must be positive numbers",
      "sweep workload-a --steps 0                       | --steps must be positive, was 0",
      "run workload-a --engine synthetic -E latency=soon | synthetic option latency takes fixed:D",
      "run workload-a --engine synthetic -E stall=10s | synthetic option stall takes AT:FOR",
      "run workload-a --engine synthetic -E colour=red | unknown synthetic option 'colour'",
      "run workload-a --engine atomix --log memory      | engine atomix has no safe memory log",
      "run workload-a --engine local --event 1s:kill-leader | NODE_STOP_START is not supported by the local engine",
      "run workload-a --engine ratis --event 1s:pause-leader | --event pause-leader: NODE_PAUSE is not supported by the ratis engine as configured here (its nodes share the trial's JVM: add --cluster processes)",
      "run workload-a --engine atomix --cluster processes | --cluster processes: PROCESSES is not supported by the atomix engine",
      "run workload-a --cluster vm                      | unknown cluster mode 'vm' (known: embedded, processes, netns, or a cluster file)",
      "run workload-a --cluster /no/such/cluster.yaml   | --cluster cluster file /no/such/cluster.yaml does not exist (or is not a file)",
      "node --cluster /no/such/cluster.yaml --id n1     | cluster file /no/such/cluster.yaml does not exist (or is not a file)",
      "node --id n1                                     | Missing required option: '--cluster=FILE'",
      "run workload-a --client http                     | --client http drives the HTTP front doors of node daemons: add --cluster FILE",
      "run workload-a --client smoke-signals            | --client must be native or http, was 'smoke-signals'",
      "run workload-a --engine etcd --cluster netns     | --cluster netns: the etcd engine cannot run its nodes in network namespaces (PARTITION is not supported)",
      "run workload-a --engine ratis --cluster processes --event 1s:partition-leader | --event partition-leader: PARTITION is not supported by the ratis engine as configured here (its nodes share 127.0.0.1: add --cluster netns)",
      "run workload-a --engine sofajraft --event 1s:slow-disk | --event slow-disk: SLOW_DISK is not supported by the sofajraft engine as configured here (its nodes share the trial's JVM: add --cluster processes)",
      "run workload-a --engine ratis --cluster processes --log memory --event 1s:slow-disk=10ms | --event slow-disk needs --log disk and --fsync on",
      "run workload-a --event 1s:kill-leader=10ms       | --event 1s:kill-leader=10ms: only slow-disk and slow-disk-all take a value (slow-disk=DELAY)",
      "run workload-a --event 1s:slow-disk=0ms          | --event 1s:slow-disk=0ms: the delay per sync must be positive",
      "run workload-a --engine atomix --event 1s:add-node | --event add-node: NODE_JOIN is not supported by the atomix engine",
      "run workload-a --coordinator master              | unknown coordinator 'master' (known: pd, ring)",
      "run workload-a --coordinator ring --placement spread | --coordinator ring places shards by consistent hashing of the member list: use --placement consistent, or leave --placement out",
      "run workload-a --engine etcd --shards 1 --nodes 1 --replication 1 -E endpoints=http://127.0.0.1:1 --event 1s:kill-leader | NODE_STOP_START is not supported by the etcd engine as configured here",
      "run workload-a --event 99s:kill-leader --duration 10s | --event 99s:kill-leader falls after the measured phase (10 s)",
      "run workload-a --event 5s:explode                | --event 5s:explode: unknown action 'explode' (known: kill-leader, kill-node, restart-all, pause-leader, partition-leader, slow-disk, slow-disk-all, add-node, remove-node, transfer-leaders)",
      "run workload-a --event soon                      | --event takes AT:ACTION[:DOWN]",
      "run workload-a --event 5s:kill-leader:later      | --event 5s:kill-leader:later: 'later' is not a duration",
      "run workload-a --event 5s:kill-leader --log memory | --event needs --log disk",
      "run workload-a --engine noop --recordcount 10 --check-linearizability | the noop engine stores nothing",
      "run workload-a --check-linearizability           | --check-linearizability is for small key spaces: at most 5000 records, the workload has 10000",
      "run workload-a --engine atomix --transport grpc  | unknown transport 'grpc' for engine atomix (known: netty)",
      "run workload-a --engine atomix --nodes 4 --placement spread | cannot follow placement 'spread'",
      "run workload-a --engine atomix -E election.timeout.ms=500 | Atomix's election timeout is fixed at 2.5 s",
      "run workload-a --engine atomix -E storage=tape   | atomix option storage must be mapped, disk or memory-lossy",
      "run workload-a --engine etcd --reads lease       | engine etcd has no lease reads",
      "run workload-a --engine etcd --log memory        | engine etcd always keeps its log on disk",
      "run workload-a --engine etcd -E binary=/no/etcd  | etcd binary /no/etcd is not an executable file",
      "run workload-a --engine etcd -E endpoints=http://127.0.0.1:1 | one etcd cluster, one Raft group: use --shards 1 (was 8)",
      "run workload-a --engine etcd --shards 1 -E endpoints=http://127.0.0.1:1 | -E endpoints lists 1 members: use --nodes 1 --replication 1",
      "run                                              | Missing required parameter: 'WORKLOAD'",
      "frobnicate                                       | Unmatched argument at index 0: 'frobnicate'",
  })
  void endsInOneClearLineAndExitCode2(String args, String message) {
    HarnessCli r = HarnessCli.run(args.trim().split("\\s+"));
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains(message);
    assertThat(r.err.strip().lines()).hasSize(1);
    assertThat(r.err).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.out).isEmpty();
  }

  @Test
  void aMalformedWorkloadFileIsNamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine.properties");
    Files.writeString(file, "recordcount=ten\n");
    HarnessCli r = HarnessCli.run("run", file.toString(), "--engine", "noop");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err.strip()).isEqualTo("harness: workload property recordcount: 'ten' is not a whole number (" + file + " line 1)"
        + " (see 'harness run --help')");
  }

  @Test
  void anUnknownEngineOptionIsRefusedBeforeAnyServerStarts(@TempDir Path dir) {
    HarnessCli r = HarnessCli.run("run", "workload-a", "-E", "colour=blue", "--out", dir.resolve("b").toString(), "--quiet");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err.strip()).startsWith("harness: unknown ratis option 'colour'");
  }
}
