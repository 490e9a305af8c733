package dev.raftbench.harness;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.local.LocalEngineProvider;
import java.util.List;
import java.util.Set;

/**
 * Test only: the local engine with one deliberate defect, which a check of the harness must catch
 * (lost writes, a slow write path, stale reads). A subclass names itself and wraps the engine.
 */
abstract class BrokenLocalProvider implements EngineProvider {
  private final String name;
  private final String description;

  BrokenLocalProvider(String name, String description) {
    this.name = name;
    this.description = "test only: local, " + description;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String description() {
    return description;
  }

  @Override
  public final List<String> transports() {
    return List.of("inproc");
  }

  @Override
  public final Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public final Engine start(EngineSpec spec) throws Exception {
    return wrap(new LocalEngineProvider().start(spec), spec);
  }

  /** The local engine, broken the subclass's way. */
  abstract Engine wrap(Engine local, EngineSpec spec) throws Exception;
}
