package dev.raftbench.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftbench.store.conformance.EngineConformanceSuite;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import java.util.Map;

class RatisNettyConformanceTest extends EngineConformanceSuite {
  @Override
  protected EngineProvider provider() {
    return new RatisEngineProvider();
  }

  @Override
  protected String transport() {
    return "netty";
  }

  @Override
  protected Map<String, String> compactionOptions() {
    return RatisCompaction.EAGER;
  }

  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    assertThat(((RatisEngine) engine).snapshotsInstalled(node, shard)).as("snapshots installed on " + node).isPositive();
  }
}
