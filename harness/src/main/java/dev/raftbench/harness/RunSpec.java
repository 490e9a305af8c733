package dev.raftbench.harness;

import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.workloads.WorkloadSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything that shapes one trial: the workload (file plus overrides), the cluster, the client
 * and the phases. Written whole into every bundle's trial.json.
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
    Duration warmup,
    Duration duration,
    long seed,
    Path out) {}
