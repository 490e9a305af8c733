package dev.raftbench.store.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command line of one node process ({@code --cluster processes}): who it is, where it keeps
 * its data, the address and port it listens on, the spec settings a server needs (transport, log, fsync, reads, -E options),
 * and engine-specific extras (e.g. {@code --shard}). The engine writes it with {@link #of}; the
 * node's main reads it back with {@link #parse}, so both ends agree by construction.
 *
 * @param spec   a one-node spec carrying the settings above (nodes, shards and placement are the engine's business)
 * @param extras every other {@code --flag value}, in order, by flag
 */
public record NodeArguments(String id, Path dir, String host, int port, EngineSpec spec, Map<String, List<String>> extras) {

  /** The arguments for {@code id} on {@code host:port}, then {@code extras} (flag, value, flag, value...). */
  public static List<String> of(EngineSpec spec, String id, Path dir, String host, int port, List<String> extras) {
    List<String> a = new ArrayList<>(List.of("--id", id, "--dir", dir.toString(), "--host", host, "--port", String.valueOf(port),
        "--transport", spec.transport(), "--log", spec.log().name(), "--fsync", spec.fsync() ? "on" : "off",
        "--reads", spec.reads().name()));
    spec.options().forEach((k, v) -> a.addAll(List.of("-E", k + "=" + v)));
    a.addAll(extras);
    return a;
  }

  public static NodeArguments parse(String[] args) {
    Map<String, String> flags = new TreeMap<>();
    Map<String, String> options = new TreeMap<>();
    Map<String, List<String>> extras = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      String flag = args[i];
      String value = args[i + 1];
      switch (flag) {
        case "-E" -> {
          String[] kv = value.split("=", 2);
          options.put(kv[0], kv.length == 2 ? kv[1] : "");
        }
        case "--id", "--dir", "--host", "--port", "--transport", "--log", "--fsync", "--reads" -> flags.put(flag, value);
        default -> extras.computeIfAbsent(flag, f -> new ArrayList<>()).add(value);
      }
    }
    EngineSpec spec = new EngineSpec(1, 1, 1, "ring", flags.get("--transport"), LogStorage.parse(flags.get("--log")),
        "on".equals(flags.get("--fsync")), ReadConsistency.parse(flags.get("--reads")), null, options);
    return new NodeArguments(flags.get("--id"), Path.of(flags.get("--dir")), flags.get("--host"), Integer.parseInt(flags.get("--port")), spec, extras);
  }

  /** The values given for an extra flag, in order (none: empty). */
  public List<String> extra(String flag) {
    return extras.getOrDefault(flag, List.of());
  }
}
