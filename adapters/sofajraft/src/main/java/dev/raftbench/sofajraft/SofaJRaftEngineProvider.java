package dev.raftbench.sofajraft;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.List;
import java.util.Set;

/**
 * SOFAJRaft: every node one RPC server on 127.0.0.1 shared by one Raft group per shard on it.
 * The transport is fixed once per JVM (JRaft's SPI): a forked trial JVM gets it as a system property.
 */
public final class SofaJRaftEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "sofajraft";
  }

  @Override
  public String description() {
    return "SOFAJRaft 1.4 multi-raft: one shared RPC server per node (in this JVM, or --cluster processes|netns: one JVM each),"
        + " one Raft group per shard, RocksDB or memory log"
        + " (-E election.timeout.ms, election.max.delay.ms, snapshot.interval.secs, rpc.timeout.ms)";
  }

  @Override
  public List<String> transports() {
    return SelectableRpcFactory.TRANSPORTS;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.REPLICATION, Capability.NODE_STOP_START, Capability.SNAPSHOT_INSTALL, Capability.PLACEMENT,
        Capability.MEMBERSHIP, Capability.TUNABLE_ELECTION, Capability.NODE_PAUSE, Capability.PROCESSES, Capability.PARTITION,
        Capability.SLOW_DISK, Capability.NODE_JOIN);
  }

  @Override
  public List<String> jvmArgs(EngineSpec spec) {
    return SelectableRpcFactory.jvmArgs(spec.transport());
  }

  @Override
  public void validate(EngineSpec spec) {
    SofaJRaftEngine.options(spec);
  }

  @Override
  public Engine start(EngineSpec spec) throws Exception {
    SelectableRpcFactory.select(spec.transport());
    return SofaJRaftEngine.start(spec);
  }

  @Override
  public boolean hasNodeDaemon() {
    return true;
  }

  @Override
  public AutoCloseable serveNode(EngineSpec spec, int node, java.nio.file.Path dir) throws Exception {
    return SofaJRaftEngine.serve(spec, node, dir);
  }
}
