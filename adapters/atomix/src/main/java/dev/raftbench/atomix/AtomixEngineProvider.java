package dev.raftbench.atomix;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.List;
import java.util.Set;

/**
 * Atomix 3.1: the KV state machine as a custom primitive, one Raft partition per shard, Atomix's
 * own Netty messaging. Atomix cannot change a partition group's members nor its election timeout
 * (fixed at 2.5 s): it declares neither {@link Capability#MEMBERSHIP} nor
 * {@link Capability#TUNABLE_ELECTION}.
 */
public final class AtomixEngineProvider implements EngineProvider {
  /** Kryo, inside Atomix, reaches into java.util and java.util.concurrent.atomic: Java 17 needs them opened. */
  static final List<String> JVM_ARGS = List.of(
      "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED");

  @Override
  public String name() {
    return "atomix";
  }

  @Override
  public String description() {
    return "Atomix 3.1 custom primitive on a Raft partition group (one partition per shard, ring placement only),"
        + " MAPPED or DISK storage (-E storage, max.entry.size, segment.size, session.timeout.ms, start.timeout.secs)";
  }

  @Override
  public List<String> transports() {
    return List.of(AtomixEngine.TRANSPORT);
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.REPLICATION, Capability.NODE_STOP_START, Capability.SNAPSHOT_INSTALL, Capability.PLACEMENT);
  }

  @Override
  public List<String> jvmArgs(EngineSpec spec) {
    return JVM_ARGS;
  }

  @Override
  public void validate(EngineSpec spec) {
    AtomixEngine.options(spec);
  }

  @Override
  public Engine start(EngineSpec spec) throws Exception {
    return AtomixEngine.start(spec);
  }
}
