package dev.raftbench.ratis;

import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineSpec;

/**
 * The conformance suite on Ratis with every node a JVM of its own ({@code --cluster processes}):
 * groups added and queried over Ratis' admin RPCs, a stopped node killed with SIGKILL and started
 * again on its port and directory.
 */
class RatisProcessesConformanceTest extends RatisConformanceTest {
  @Override
  protected String transport() {
    return "grpc";
  }

  @Override
  protected EngineSpec spec() {
    return super.spec().withCluster(ClusterMode.PROCESSES);
  }

  /** The replica lives in another JVM: its state machine says in the node's log that it installed the leader's snapshot. */
  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    assertLogSays(((RatisEngine) engine).nodeLog(node), "installed a snapshot from the leader");
  }
}
