package dev.raftbench.sofajraft;

import dev.raftbench.store.engine.ClusterMode;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineSpec;

/**
 * The conformance suite on SOFAJRaft over Bolt with every node a JVM of its own ({@code --cluster
 * processes}): leaders found, moved and snapshots taken through JRaft's CLI service over RPC, a
 * stopped node killed with SIGKILL and started again on its port and directory, a shard moved by
 * telling a node JVM to start (or drop) its replica over RPC.
 */
class SofaJRaftProcessesConformanceTest extends SofaJRaftConformanceTest {
  @Override
  protected String transport() {
    return "bolt";
  }

  @Override
  protected EngineSpec spec() {
    return super.spec().withCluster(ClusterMode.PROCESSES);
  }

  /** The replica lives in another JVM: its state machine says in the node's log that it loaded the leader's snapshot. */
  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    assertLogSays(((SofaJRaftEngine) engine).nodeLog(node), "installed a snapshot from the leader");
  }
}
