package dev.raftbench.store.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The engines on the classpath. */
public final class Engines {
  private Engines() {}

  public static List<EngineProvider> all() {
    List<EngineProvider> list = new ArrayList<>();
    ServiceLoader.load(EngineProvider.class).forEach(list::add);
    list.sort(Comparator.comparing(EngineProvider::name));
    return list;
  }

  public static EngineProvider byName(String name) {
    List<EngineProvider> all = all();
    for (EngineProvider p : all) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown engine '" + name + "' (known: "
        + String.join(", ", all.stream().map(EngineProvider::name).toList()) + ")");
  }

  /** Checks the transport against the provider's list; null or empty means its default. */
  public static String transport(EngineProvider p, String transport) {
    if (transport == null || transport.isEmpty()) {
      return p.defaultTransport();
    }
    if (!p.transports().contains(transport)) {
      throw new IllegalArgumentException("unknown transport '" + transport + "' for engine " + p.name()
          + " (known: " + String.join(", ", p.transports()) + ")");
    }
    return transport;
  }
}
