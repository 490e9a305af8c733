package dev.raftbench.store.shard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** The hashing schemes by name. Adding one = one class + one line here. */
public final class Partitioners {
  private static final Map<String, IntFunction<Partitioner>> BY_NAME = new LinkedHashMap<>();

  static {
    BY_NAME.put("jump", JumpHashPartitioner::new);
    BY_NAME.put("modulo", ModuloPartitioner::new);
  }

  private Partitioners() {}

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  public static String defaultName() {
    return "jump";
  }

  public static Partitioner create(String name, int shards) {
    IntFunction<Partitioner> f = BY_NAME.get(name);
    if (f == null) {
      throw new IllegalArgumentException("unknown hashing scheme '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
    return f.apply(shards);
  }
}
