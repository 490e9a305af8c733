package dev.raftbench.store.local;

import dev.raftbench.store.conformance.EngineConformanceSuite;
import dev.raftbench.store.engine.EngineProvider;

class LocalEngineConformanceTest extends EngineConformanceSuite {
  @Override
  protected EngineProvider provider() {
    return new LocalEngineProvider();
  }
}
