package dev.raftbench.store.shard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The hashing schemes by name. Adding one = one class + one line here. Every scheme hashes keys
 * with {@link KeyHash#hash64} (range compares the keys themselves).
 */
public final class Partitioners {
  private static final Map<String, Function<PartitionerSpec, Partitioner>> BY_NAME = new LinkedHashMap<>();

  static {
    BY_NAME.put("jump", s -> new JumpHashPartitioner(s.shards()));
    BY_NAME.put("modulo", s -> new ModuloPartitioner(s.shards()));
    BY_NAME.put("ring", s -> new RingPartitioner(s.shards(), s.vnodes()));
    BY_NAME.put("rendezvous", s -> new RendezvousPartitioner(s.shards()));
    BY_NAME.put("maglev", s -> new MaglevPartitioner(s.shards()));
    BY_NAME.put("bounded", s -> new BoundedLoadPartitioner(s.shards(), s.vnodes(), s.balanceEpsilon()));
    BY_NAME.put("range", s -> new RangePartitioner(s.shards(), s.keySample()));
    BY_NAME.put("range-even", s -> RangePartitioner.evenlySplit(s.shards(), s.keySample()));
  }

  private Partitioners() {}

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  public static String defaultName() {
    return "jump";
  }

  /** Whether the scheme splits the key space by a sample of the keys (the caller must give one). */
  public static boolean needsKeySample(String name) {
    return "range".equals(name) || "range-even".equals(name);
  }

  public static void check(String name) {
    if (!BY_NAME.containsKey(name)) {
      throw new IllegalArgumentException("unknown hashing scheme '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
  }

  public static Partitioner create(String name, PartitionerSpec spec) {
    check(name);
    return BY_NAME.get(name).apply(spec);
  }

  public static Partitioner create(String name, int shards) {
    return create(name, PartitionerSpec.of(shards));
  }
}
