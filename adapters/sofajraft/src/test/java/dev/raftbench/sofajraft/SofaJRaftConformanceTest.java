package dev.raftbench.sofajraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftbench.store.conformance.EngineConformanceSuite;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import java.util.Map;

/**
 * The conformance suite on SOFAJRaft; one subclass per transport, each in its own test JVM
 * (JRaft fixes the transport once per JVM; see this module's surefire settings).
 */
abstract class SofaJRaftConformanceTest extends EngineConformanceSuite {
  @Override
  protected EngineProvider provider() {
    return new SofaJRaftEngineProvider();
  }

  /**
   * JRaft truncates the log only up to the snapshot before the last one: two snapshots with a
   * write between them leave the stopped member's next entry behind the log's start.
   */
  @Override
  protected void compact(Engine engine, int shard) throws Exception {
    SofaJRaftEngine e = (SofaJRaftEngine) engine;
    e.snapshotNow(shard);
    await(e.write(shard, new Command.Put("compaction-marker", Record.of(Map.of("f", new byte[] {1})))));
    e.snapshotNow(shard);
  }

  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    assertThat(((SofaJRaftEngine) engine).snapshotsInstalled(node, shard)).as("snapshots installed on " + node).isPositive();
  }
}
