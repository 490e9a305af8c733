package dev.raftbench.etcd;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.List;
import java.util.Set;

/**
 * etcd, the reference Raft store, as a peer of the Java engines: one etcd cluster per shard,
 * started from Debian's etcd-server as child processes, or a cluster the user runs
 * ({@code -E endpoints}). etcd changes membership one process at a time, outside what the
 * engine SPI's in-process add/remove means here: it declares no {@link Capability#MEMBERSHIP}.
 */
public final class EtcdEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public String description() {
    return "real etcd clusters through jetcd: one cluster per shard as child processes (Debian etcd-server),"
        + " or -E endpoints=http://HOST:PORT,... (-E heartbeat.ms, election.ms, snapshot.count, request.timeout.ms,"
        + " start.timeout.secs, binary, prefix, keep)";
  }

  @Override
  public List<String> transports() {
    return List.of(EtcdEngine.TRANSPORT);
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.REPLICATION, Capability.NODE_STOP_START, Capability.SNAPSHOT_INSTALL,
        Capability.PLACEMENT, Capability.TUNABLE_ELECTION, Capability.NODE_PAUSE, Capability.PROCESSES);
  }

  /**
   * Every member is an etcd process whichever --cluster is asked for; on a cluster given by
   * endpoints nothing can be stopped, frozen or placed.
   */
  @Override
  public Set<Capability> capabilities(EngineSpec spec) {
    if (!spec.options().getOrDefault("endpoints", "").isBlank()) {
      return Set.of(Capability.REPLICATION, Capability.SNAPSHOT_INSTALL, Capability.TUNABLE_ELECTION);
    }
    return capabilities();
  }

  @Override
  public void validate(EngineSpec spec) {
    EtcdOptions.parse(spec);
  }

  @Override
  public Engine start(EngineSpec spec) throws Exception {
    return EtcdEngine.start(spec);
  }
}
