package dev.raftbench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code harness matrix SUITE}: the cross product a suite file describes, one {@code run} each
 * (so one forked trial JVM each, unless the suite's args say otherwise), then their comparison.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run every combination a suite describes (workloads x engines x hashing x placement x shards x fsync x threads x inflight, each"
        + " repeated), one forked trial"
        + " each, then compare them (comparison.csv, charts, report.html).",
        "SUITE is a built-in name (engines: every Raft engine and transport on workloads A-F; engines-a: on workload A only;"
            + " engines-scale: every engine and transport and the unreplicated local engine on workload A with 100-byte values, at 1"
            + " and 8 shards, fsync on and off) or a properties file with the keys workloads, engines (engine/transport,"
            + " comma-separated), hashing, placement, shards, fsync, threads, inflight (each a comma-separated list: one cell per value),"
            + " repeats and args (more 'run' flags, split on spaces)."})
final class MatrixCommand implements Callable<Integer> {
  static final String SCHEMA = "raftbench.matrix/1";
  private static final Set<String> KEYS = Set.of("workloads", "engines", "hashing", "placement", "shards", "fsync", "threads", "inflight", "repeats",
      "args");
  static final Map<String, String> BUILT_IN = Map.of(
      "engines", """
          workloads = workload-a, workload-b, workload-c, workload-d, workload-e, workload-f
          engines = ratis/grpc, ratis/netty, sofajraft/bolt, sofajraft/grpc, atomix/netty
          """,
      "engines-a", """
          workloads = workload-a
          engines = ratis/grpc, ratis/netty, sofajraft/bolt, sofajraft/grpc, atomix/netty
          """,
      "engines-scale", """
          workloads = workload-a
          engines = local, ratis/grpc, ratis/netty, sofajraft/bolt, sofajraft/grpc, atomix/netty
          shards = 1, 8
          fsync = on, off
          args = -p fieldcount=1 -p fieldlength=100
          """);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SUITE", description = "built-in suite name or suite file")
  String suite;

  @Option(names = "--args", paramLabel = "FLAGS", description = "more 'run' flags for every cell, after the suite's own, e.g. \"--duration 20s --warmup 5s\"")
  String extraArgs;

  @Option(names = "--out", description = "the matrix bundle's directory (default results/runs/<time>-matrix-<suite>/)")
  Path out;

  /** One cell of the matrix: the arguments of its {@code run} and where its bundle goes. */
  record Cell(String name, List<String> runArgs, Path bundle) {}

  /** A cell being built: its run arguments and the parts of its name so far. */
  private record Partial(List<String> runArgs, List<String> name) {}

  /**
   * A suite key whose values each give a cell of their own: the {@code run} flag it sets and how
   * a value shows in the cell's name.
   */
  record Dimension(String key, String flag, String label) {}

  static final List<Dimension> DIMENSIONS = List.of(new Dimension("hashing", "--hashing", "%s"),
      new Dimension("placement", "--placement", "%s"), new Dimension("shards", "--shards", "%sshards"),
      new Dimension("fsync", "--fsync", "fsync-%s"), new Dimension("threads", "--threads", "%sthreads"),
      new Dimension("inflight", "--inflight", "%sinflight"));

  @Override
  public Integer call() throws Exception {
    Properties p = load();
    List<String> workloads = list(p, "workloads", null);
    List<String> engines = list(p, "engines", null);
    int repeats;
    try {
      repeats = Integer.parseInt(p.getProperty("repeats", "1").trim());
    } catch (NumberFormatException e) {
      throw bad("suite " + suite + ": repeats must be a positive integer, was '" + p.getProperty("repeats") + "'");
    }
    if (repeats <= 0) {
      throw bad("suite " + suite + ": repeats must be a positive integer, was " + repeats);
    }
    List<String> args = new ArrayList<>(split(p.getProperty("args", "")));
    args.addAll(split(extraArgs == null ? "" : extraArgs));
    List<String> owned = new ArrayList<>(List.of("--out", "--engine", "--transport", "--repeat"));
    for (Dimension d : DIMENSIONS) {
      if (p.getProperty(d.key()) != null || d.key().equals("hashing") || d.key().equals("placement")) {
        owned.add(d.flag());
      }
    }
    for (String a : args) {
      for (String own : owned) {
        if (a.equals(own) || a.startsWith(own + "=")) {
          throw bad("suite " + suite + ": args may not set " + own + " (the matrix sets it per cell)");
        }
      }
    }
    Path dir = out != null ? out
        : Path.of("results", "runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-matrix-"
            + Path.of(suite).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_"));

    // the cross product: workload x engine, then each dimension the suite names, in DIMENSIONS' order
    List<Partial> partials = new ArrayList<>();
    for (String w : workloads) {
      for (String e : engines) {
        String[] et = e.split("/", 2);
        List<String> run = new ArrayList<>(List.of("run", w, "--engine", et[0]));
        if (et.length == 2) {
          run.addAll(List.of("--transport", et[1]));
        }
        partials.add(new Partial(run, List.of(Path.of(w).getFileName().toString(), et[0], et.length == 2 ? et[1] : "default")));
      }
    }
    for (Dimension d : DIMENSIONS) {
      if (p.getProperty(d.key()) == null) {
        continue;
      }
      List<Partial> next = new ArrayList<>();
      for (Partial partial : partials) {
        for (String v : list(p, d.key(), null)) {
          List<String> run = new ArrayList<>(partial.runArgs());
          run.addAll(List.of(d.flag(), v));
          List<String> name = new ArrayList<>(partial.name());
          name.add(d.label().formatted(v));
          next.add(new Partial(run, name));
        }
      }
      partials = next;
    }
    List<Cell> cells = new ArrayList<>();
    for (Partial partial : partials) {
      List<String> run = new ArrayList<>(partial.runArgs());
      if (repeats > 1) {
        run.addAll(List.of("--repeat", String.valueOf(repeats)));
      }
      run.addAll(args);
      String name = String.join("-", partial.name());
      Path bundle = dir.resolve("cells").resolve(name);
      run.addAll(List.of("--out", bundle.toString()));
      cells.add(new Cell(name, run, bundle));
    }
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // every cell's flags are checked before the first trial starts: bad input costs nothing
    for (Cell c : cells) {
      String problem = RunCommand.validate(c.runArgs());
      if (problem != null) {
        throw bad("suite " + suite + ", cell " + c.name() + ": " + problem);
      }
    }
    Files.createDirectories(dir);
    List<Map<String, Object>> status = new ArrayList<>();
    List<Path> done = new ArrayList<>();
    int failed = 0;
    for (int i = 0; i < cells.size(); i++) {
      Cell c = cells.get(i);
      err.printf("[raftbench] matrix cell %d of %d: %s%n", i + 1, cells.size(), c.name());
      err.flush();
      int code = Harness.execute(c.runArgs().toArray(String[]::new), o, err);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("cell", c.name());
      s.put("args", c.runArgs());
      s.put("bundle", dir.relativize(c.bundle()).toString());
      s.put("exit_code", code);
      status.add(s);
      if (code == 0) {
        done.add(c.bundle());
      } else {
        failed++;
        err.printf("[raftbench] matrix cell %s failed (exit %d); going on with the others%n", c.name(), code);
      }
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("suite", suite);
    root.put("cells", status);
    root.put("failed", failed);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("matrix.json").toFile(), root);
    if (!done.isEmpty()) {
      Comparison.write(done, dir, o);
    }
    if (failed > 0) {
      err.printf("harness: %d of %d matrix cells failed (see %s)%n", failed, cells.size(), dir.resolve("matrix.json"));
      err.flush();
      return Harness.FAILED;
    }
    return 0;
  }

  private Properties load() throws IOException {
    Properties p = new Properties();
    String builtIn = BUILT_IN.get(suite);
    Path file = Path.of(suite);
    if (builtIn == null && !Files.isRegularFile(file)) {
      throw bad("unknown suite '" + suite + "' (built in: " + String.join(", ", new java.util.TreeSet<>(BUILT_IN.keySet())) + "; or a suite file)");
    }
    try (Reader r = builtIn != null ? new StringReader(builtIn) : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IllegalArgumentException e) {
      throw bad("suite " + suite + " is not a properties file: " + e.getMessage());
    }
    for (String key : p.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        throw bad("suite " + suite + ": unknown key '" + key + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
    }
    return p;
  }

  private List<String> list(Properties p, String key, String absent) {
    String v = p.getProperty(key);
    if (v == null) {
      if (absent == null) {
        throw bad("suite " + suite + " names no " + key);
      }
      return List.of(absent);
    }
    List<String> items = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (items.isEmpty()) {
      throw bad("suite " + suite + ": " + key + " is empty");
    }
    return items;
  }

  private static List<String> split(String s) {
    return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
  }

  private CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
