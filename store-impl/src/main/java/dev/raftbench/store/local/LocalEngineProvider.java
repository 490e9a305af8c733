package dev.raftbench.store.local;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.List;
import java.util.Set;

/** The unreplicated ceiling: the same state machine and codec, no Raft, no network. */
public final class LocalEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public String description() {
    return "unreplicated in-memory store in the client's JVM (the ceiling: state machine + codec, no Raft)";
  }

  @Override
  public List<String> transports() {
    return List.of("inproc");
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public void validate(EngineSpec spec) {
    spec.requireNoOptions(name());
  }

  @Override
  public Engine start(EngineSpec spec) {
    spec.requireNoOptions(name());
    return new LocalEngine(spec.shards());
  }
}
