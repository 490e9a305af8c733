package dev.raftbench.workloads;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The built-in workloads and the loading of workload files. */
public final class Workloads {
  /**
   * Built-in names: YCSB's six core workloads with record counts sized for a meaningful run, and
   * three of our own (write-only, read-only-uniform, scan-heavy, the last meant for --hashing range).
   */
  public static final List<String> BUILT_IN = List.of("workload-a", "workload-b", "workload-c", "workload-d", "workload-e", "workload-f",
      "write-only", "read-only-uniform", "scan-heavy");

  private Workloads() {}

  /**
   * A built-in name or a path to a YCSB property file, with overrides applied on top.
   *
   * @throws IllegalArgumentException naming the problem, for an unknown name, unreadable file or bad property
   */
  public static WorkloadSpec load(String nameOrPath, Map<String, String> overrides) {
    Properties props = new Properties();
    String name;
    Map<String, Integer> lines = Map.of();
    Path file = null;
    if (BUILT_IN.contains(nameOrPath)) {
      name = nameOrPath;
      try (InputStream in = Workloads.class.getResourceAsStream("/workloads/" + nameOrPath + ".properties")) {
        if (in == null) {
          throw new IllegalStateException("built-in workload " + nameOrPath + " missing from the jar");
        }
        props.load(in);
      } catch (IOException e) {
        throw new IllegalStateException("reading built-in workload " + nameOrPath, e);
      }
    } else {
      Path path = Path.of(nameOrPath);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("unknown workload '" + nameOrPath + "': neither a built-in ("
            + String.join(", ", BUILT_IN) + ") nor a readable file");
      }
      name = path.getFileName().toString().replaceFirst("\\.properties$", "");
      try (Reader in = Files.newBufferedReader(path, StandardCharsets.ISO_8859_1)) {
        props.load(in);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot read workload file " + path + ": " + e.getMessage());
      }
      lines = lineNumbers(path);
      file = path;
      // YCSB resolves fieldlengthhistogram against the working directory; next to the workload file is what users mean
      String histogram = props.getProperty("fieldlengthhistogram");
      if (histogram != null && !Path.of(histogram.trim()).isAbsolute() && !Files.exists(Path.of(histogram.trim()))) {
        Path beside = path.toAbsolutePath().getParent().resolve(histogram.trim());
        if (Files.exists(beside)) {
          props.setProperty("fieldlengthhistogram", beside.toString());
        }
      }
    }
    overrides.forEach(props::setProperty);
    try {
      return new WorkloadSpec(name, props);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + where(e.getMessage(), overrides, lines, file), e);
    }
  }

  private static final java.util.regex.Pattern PROPERTY = java.util.regex.Pattern.compile("workload propert(?:y|ies) ([\\w.]+)");

  /** Where the property a message names was set: " (-p override)", " (FILE line N)", or nothing. */
  private static String where(String message, Map<String, String> overrides, Map<String, Integer> lines, Path file) {
    java.util.regex.Matcher m = PROPERTY.matcher(String.valueOf(message));
    if (!m.find()) {
      return "";
    }
    String key = m.group(1);
    if (overrides.containsKey(key)) {
      return " (-p " + key + ")";
    }
    Integer line = lines.get(key);
    return line == null || file == null ? "" : " (" + file + " line " + line + ")";
  }

  /** The line each property is set on (the last one, as Properties keeps the last). */
  private static Map<String, Integer> lineNumbers(Path path) {
    Map<String, Integer> lines = new java.util.HashMap<>();
    try {
      List<String> all = Files.readAllLines(path, StandardCharsets.ISO_8859_1);
      for (int i = 0; i < all.size(); i++) {
        String l = all.get(i).trim();
        if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
          continue;
        }
        java.util.regex.Matcher k = java.util.regex.Pattern.compile("^([^=:\\s]+)").matcher(l);
        if (k.find()) {
          lines.put(k.group(1), i + 1);
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return lines;
  }
}
