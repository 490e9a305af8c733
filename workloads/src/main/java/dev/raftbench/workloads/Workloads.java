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
  /** Built-in names: YCSB's six core workloads with record counts sized for a meaningful run. */
  public static final List<String> BUILT_IN = List.of("workload-a", "workload-b", "workload-c", "workload-d", "workload-e", "workload-f");

  private Workloads() {}

  /**
   * A built-in name or a path to a YCSB property file, with overrides applied on top.
   *
   * @throws IllegalArgumentException naming the problem, for an unknown name, unreadable file or bad property
   */
  public static WorkloadSpec load(String nameOrPath, Map<String, String> overrides) {
    Properties props = new Properties();
    String name;
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
    }
    overrides.forEach(props::setProperty);
    return new WorkloadSpec(name, props);
  }
}
