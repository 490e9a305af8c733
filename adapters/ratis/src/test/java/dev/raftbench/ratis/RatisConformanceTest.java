package dev.raftbench.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftbench.store.conformance.EngineConformanceSuite;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import java.util.Map;

/** The conformance suite on Ratis; one subclass per transport. */
abstract class RatisConformanceTest extends EngineConformanceSuite {
  @Override
  protected EngineProvider provider() {
    return new RatisEngineProvider();
  }

  /** Snapshot and purge after a few dozen entries, so a lagging member must install a snapshot. */
  @Override
  protected Map<String, String> compactionOptions() {
    return Map.of(
        "raft.server.snapshot.auto.trigger.threshold", "40",
        "raft.server.log.purge.gap", "8",
        "raft.server.log.purge.upto.snapshot.index", "true",
        // the disk log purges whole closed segments only: make segments small
        "raft.server.log.segment.size.max", "8KB",
        "raft.server.log.preallocated.size", "8KB");
  }

  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    assertThat(((RatisEngine) engine).snapshotsInstalled(node, shard)).as("snapshots installed on " + node).isPositive();
  }
}
