package dev.raftbench.ratis;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.List;
import java.util.Set;

/**
 * Apache Ratis: every node one {@code RaftServer} on 127.0.0.1 hosting one Raft group per shard.
 * Engine options ({@code -E}) are Ratis property keys ({@code raft.*}) set on servers and clients.
 */
public final class RatisEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "ratis";
  }

  @Override
  public String description() {
    return "Apache Ratis 3.3 multi-raft: one server per node (in this JVM, or --cluster processes|netns: one JVM each),"
        + " one Raft group per shard on its placement's nodes (-E raft.*=... sets Ratis properties)";
  }

  @Override
  public List<String> transports() {
    return List.of("grpc", "netty");
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.REPLICATION, Capability.NODE_STOP_START, Capability.SNAPSHOT_INSTALL, Capability.PLACEMENT,
        Capability.MEMBERSHIP, Capability.TUNABLE_ELECTION, Capability.NODE_PAUSE, Capability.PROCESSES, Capability.PARTITION,
        Capability.SLOW_DISK, Capability.NODE_JOIN);
  }

  @Override
  public void validate(EngineSpec spec) {
    RatisEngine.configure(spec);
  }

  @Override
  public Engine start(EngineSpec spec) throws Exception {
    return RatisEngine.start(spec);
  }

  @Override
  public boolean hasNodeDaemon() {
    return true;
  }

  @Override
  public AutoCloseable serveNode(EngineSpec spec, int node, java.nio.file.Path dir) throws Exception {
    return RatisEngine.serve(spec, node, dir);
  }
}
