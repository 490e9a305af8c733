package dev.raftbench.store.shard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The placements by name. Adding one = one class + one line here. */
public final class Placements {
  private static final Map<String, Supplier<Placement>> BY_NAME = new LinkedHashMap<>();

  static {
    BY_NAME.put("ring", RingPlacement::new);
    BY_NAME.put("groups", GroupsPlacement::new);
    BY_NAME.put("spread", SpreadPlacement::new);
    BY_NAME.put("consistent", ConsistentPlacement::new);
  }

  private Placements() {}

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  public static String defaultName() {
    return "ring";
  }

  public static Placement create(String name) {
    Supplier<Placement> p = BY_NAME.get(name);
    if (p == null) {
      throw new IllegalArgumentException("unknown placement '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
    return p.get();
  }
}
