package dev.raftbench.store.engine;

import java.util.List;
import java.util.Set;

/**
 * One engine, found by {@link java.util.ServiceLoader}: an adapter module registers its provider
 * in {@code META-INF/services/dev.raftbench.store.engine.EngineProvider}.
 */
public interface EngineProvider {

  /** Name used on the command line, e.g. "ratis". */
  String name();

  /** One line for {@code harness list}. */
  String description();

  /** Transport names; the first is the default. */
  List<String> transports();

  default String defaultTransport() {
    return transports().get(0);
  }

  Set<Capability> capabilities();

  /** Starts a cluster and returns once every shard can serve requests. */
  Engine start(EngineSpec spec) throws Exception;
}
