package dev.raftbench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code harness hashing}: every hashing scheme on balance, movement and lookup cost. */
@Command(name = "hashing", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare every hashing scheme on balance (by keys and by operations), movement when a node joins or leaves,",
        "and lookup cost, for keys -> shards -> nodes. Writes hashing.json, hashing.csv and charts."})
final class HashingCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "10", description = "nodes (default ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--shards", defaultValue = "256", description = "shards (default ${DEFAULT-VALUE})")
  int shards;

  @Option(names = "--keys", defaultValue = "1000000", description = "keys, named as YCSB names them (default ${DEFAULT-VALUE})")
  int keys;

  @Option(names = "--distribution", defaultValue = "zipfian", description = "operations over keys: uniform or zipfian (default ${DEFAULT-VALUE})")
  String distribution;

  @Option(names = "--zipfian-constant", defaultValue = "0.99", description = "(default ${DEFAULT-VALUE})")
  double zipfianConstant;

  @Option(names = "--vnodes", defaultValue = "128", description = "points per bucket on the ring (default ${DEFAULT-VALUE})")
  int vnodes;

  @Option(names = "--balance-epsilon", defaultValue = "0.25", description = "bounded: the most a bucket holds is (1 + epsilon) x the mean (default ${DEFAULT-VALUE})")
  double balanceEpsilon;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the popularity ranks (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", description = "bundle directory (default results/runs/<time>-hashing/)")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (nodes < 2) {
      throw bad("--nodes must be at least 2, was " + nodes);
    }
    if (shards < Math.max(nodes + 1, 3)) {
      throw bad("--shards (" + shards + ") must be at least --nodes + 1 (" + (nodes + 1) + ")");
    }
    if (keys < shards) {
      throw bad("--keys (" + keys + ") must be at least --shards (" + shards + ")");
    }
    if (!(balanceEpsilon > 0) || !Double.isFinite(balanceEpsilon)) {
      throw bad("--balance-epsilon must be a positive number, was " + balanceEpsilon);
    }
    if (vnodes <= 0) {
      throw bad("--vnodes must be positive, was " + vnodes);
    }
    if (!distribution.equals("uniform") && !distribution.equals("zipfian")) {
      throw bad("--distribution must be uniform or zipfian, was '" + distribution + "'");
    }
    if (zipfianConstant <= 0 || zipfianConstant >= 1) {
      throw bad("--zipfian-constant must lie in (0, 1), was " + zipfianConstant);
    }
    Path dir = out != null ? out : Path.of("results", "runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-hashing");
    Files.createDirectories(dir);
    HashingStudy.Result r = HashingStudy.run(new HashingStudy.Params(nodes, shards, keys, distribution, zipfianConstant, vnodes, balanceEpsilon, seed));

    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("hashing.json").toFile(), toJson(r));
    try (Writer w = Files.newBufferedWriter(dir.resolve("hashing.csv"), StandardCharsets.UTF_8)) {
      w.write("scheme,keys_peak_to_mean,ops_peak_to_mean,shards_peak_to_mean,keys_moved_add,shards_moved_add,keys_moved_remove,"
          + "shards_moved_remove,moves_between_survivors_add,lookup_ns\n");
      for (HashingStudy.Row row : r.rows()) {
        w.write(String.format(Locale.ROOT, "%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.1f%n", row.scheme(), row.keysPeakToMean(),
            row.opsPeakToMean(), row.shardsPeakToMean(), row.keysMovedOnAdd(), row.shardsMovedOnAdd(), row.keysMovedOnRemove(),
            row.shardsMovedOnRemove(), row.movesBetweenSurvivorsOnAdd(), row.lookupNanos()));
      }
    }
    Charts.hashing(r, dir.resolve("charts"));
    print(r, spec.commandLine().getOut(), dir);
    return 0;
  }

  private static Map<String, Object> toJson(HashingStudy.Result r) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", "raftbench.hashing/1");
    root.put("params", r.params());
    root.put("key_hash", "64-bit FNV-1a over the UTF-8 key, finished with MurmurHash3 fmix64 (range compares keys)");
    root.put("ideal_moved_on_add", r.idealMovedOnAdd());
    root.put("ideal_moved_on_remove", r.idealMovedOnRemove());
    root.put("nodes_growth", r.nodeGrowth());
    List<Object> rows = new ArrayList<>(r.rows());
    root.put("schemes", rows);
    root.put("environment", Environment.describe());
    return root;
  }

  private static void print(HashingStudy.Result r, PrintWriter out, Path dir) {
    HashingStudy.Params p = r.params();
    out.printf(Locale.ROOT, "%,d keys -> %d shards -> %d nodes; operations %s; ideal move on add %.4f, on remove %.4f%n",
        p.keys(), p.shards(), p.nodes(), p.distribution(), r.idealMovedOnAdd(), r.idealMovedOnRemove());
    out.printf(Locale.ROOT, "%-11s %10s %10s %10s %10s %10s %10s %10s %10s%n", "scheme", "keys p/m", "ops p/m", "shards p/m",
        "moved+1", "moved-1", "survivors", "p/m@" + r.nodeGrowth()[r.nodeGrowth().length - 1], "lookup ns");
    for (HashingStudy.Row row : r.rows()) {
      out.printf(Locale.ROOT, "%-11s %10.3f %10.3f %10.3f %10.4f %10.4f %10.4f %10.3f %10.1f%n", row.scheme(), row.keysPeakToMean(),
          row.opsPeakToMean(), row.shardsPeakToMean(), row.keysMovedOnAdd(), row.keysMovedOnRemove(), row.movesBetweenSurvivorsOnAdd(),
          last(row.keysPeakToMeanByNodes()), row.lookupNanos());
    }
    out.println("(p/m = peak-to-mean load over nodes; moved = fraction of keys whose node changed when a node joins (+1) or the last");
    out.printf(Locale.ROOT, " leaves (-1); survivors = fraction of shards moved between nodes that were there before; p/m@%d = keys at %d nodes)%n",
        r.nodeGrowth()[r.nodeGrowth().length - 1], r.nodeGrowth()[r.nodeGrowth().length - 1]);
    out.println("bundle: " + dir.toAbsolutePath().normalize());
    out.flush();
  }

  private static double last(double[] d) {
    return d[d.length - 1];
  }

  private CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
