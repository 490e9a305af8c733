package dev.raftbench.atomix;

import io.atomix.primitive.PrimitiveBuilder;
import io.atomix.primitive.PrimitiveManagementService;
import io.atomix.primitive.PrimitiveType;
import io.atomix.primitive.config.PrimitiveConfig;
import io.atomix.primitive.service.PrimitiveService;
import io.atomix.primitive.service.ServiceConfig;

/**
 * The custom primitive type: every member's registry must know it so that a partition can create
 * the service when a client opens a session on it. Clients are built by {@link AtomixEngine} straight
 * from the Raft protocol ({@code MultiRaftProtocol.newProxy}), not through Atomix's primitive builders.
 */
@SuppressWarnings("rawtypes")
public final class KvPrimitiveType implements PrimitiveType {
  public static final String NAME = "raftbench-kv";
  static final KvPrimitiveType INSTANCE = new KvPrimitiveType();

  /** Public and without arguments: Atomix's classpath-scanning registry instantiates it. */
  public KvPrimitiveType() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PrimitiveConfig newConfig() {
    throw new UnsupportedOperationException(NAME + " has no Atomix primitive builder: AtomixEngine opens its proxies");
  }

  @Override
  public PrimitiveBuilder newBuilder(String primitiveName, PrimitiveConfig config, PrimitiveManagementService managementService) {
    throw new UnsupportedOperationException(NAME + " has no Atomix primitive builder: AtomixEngine opens its proxies");
  }

  @Override
  public PrimitiveService newService(ServiceConfig config) {
    return new KvPrimitiveService();
  }
}
