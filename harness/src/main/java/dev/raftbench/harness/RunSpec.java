package dev.raftbench.harness;

import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.workloads.WorkloadSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything that shapes one trial: the workload (file plus overrides), the cluster, the client
 * and the phases. Written whole into every bundle's trial.json.
 *
 * @param warmup     discarded before the measured phase: fixed, or until the rate levels ({@link Warmup})
 * @param target     open loop: operations per second over all workers; null = closed loop
 * @param arrivals   open loop: uniform (evenly spaced) or poisson (exponential gaps)
 * @param noiseFloor how long the same client runs against {@code noop} first; zero = not measured
 * @param balanceEpsilon hashing bounded: the most a shard holds is (1 + epsilon) times the mean
 * @param verify     read back every written key after the run and count lost acknowledged writes
 * @param coordinator who moves shards when a node joins or leaves: pd or ring ({@link Coordinator})
 * @param retryFor   how long the client retries an operation that failed for cluster reasons
 * @param clusterFile {@code --cluster FILE}: the daemons' cluster file as read when parsing; null when the trial starts its cluster
 * @param client     native (the sharded client on the engine) or http (the cluster file's front doors)
 */
record RunSpec(
    String workloadSource,
    WorkloadSpec workload,
    String engine,
    EngineSpec cluster,
    String hashing,
    int vnodes,
    int threads,
    int inflight,
    Warmup warmup,
    Duration duration,
    long seed,
    Path out,
    Double target,
    String arrivals,
    Duration noiseFloor,
    double balanceEpsilon,
    boolean verify,
    boolean checkLinearizability,
    java.util.List<Faults.Event> events,
    String coordinator,
    Duration retryFor,
    ClusterFile clusterFile,
    String client) {

  /** What the hashing scheme is built from (the key sample is the caller's). */
  dev.raftbench.store.shard.PartitionerSpec partitionerSpec(java.util.List<String> keySample) {
    // through the front doors, the harness sees one shard: each front door routes keys itself
    return new dev.raftbench.store.shard.PartitionerSpec(httpClient() ? 1 : cluster.shards(), vnodes, keySample, balanceEpsilon);
  }

  boolean httpClient() {
    return client.equals("http");
  }

  /** The client's retries: {@link #retryFor} from the first attempt, backing off from 20 ms to 1 s. */
  dev.raftbench.store.client.RetryPolicy retryPolicy() {
    return dev.raftbench.store.client.RetryPolicy.DEFAULT.withDeadline(retryFor);
  }

  /** Open loop: operations start on a schedule of {@link #target} per second, whatever the answers. */
  boolean openLoop() {
    return target != null;
  }

  /**
   * The same trial writing its bundle to {@code dir} (a repeat, a sweep step); with a
   * {@code --data-dir}, its disk state goes to a subdirectory of the same name, since engines
   * refuse a used one.
   */
  RunSpec withOut(Path dir) {
    return withTarget(target, dir);
  }

  RunSpec withTarget(Double opsPerSecond, Path dir) {
    EngineSpec c = cluster.dataDir() == null ? cluster : cluster.withDataDir(cluster.dataDir().resolve(dir.getFileName()));
    return new RunSpec(workloadSource, workload, engine, c, hashing, vnodes, threads, inflight, warmup, duration, seed, dir,
        opsPerSecond, arrivals, noiseFloor, balanceEpsilon, verify, checkLinearizability, events, coordinator, retryFor, clusterFile, client);
  }
}
