package dev.raftbench.harness;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.shard.Partitioners;
import dev.raftbench.workloads.WorkloadSpec;
import dev.raftbench.workloads.Workloads;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code harness list}: the engines, transports, hashing schemes and workloads this jar has. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List engines (with transports), hashing schemes and built-in workloads.")
final class ListCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("engines (transports, default first):");
    for (EngineProvider p : Engines.all()) {
      out.printf("  %-10s %-14s %s%n", p.name(), String.join(",", p.transports()), p.description());
      out.printf("  %-10s %-14s capabilities: %s%n", "", "", capabilities(p));
    }
    out.println("placements: " + String.join(", ", dev.raftbench.store.shard.Placements.names()) + " (default "
        + dev.raftbench.store.shard.Placements.defaultName() + ")");
    out.println("hashing schemes: " + String.join(", ", Partitioners.names()) + " (default " + Partitioners.defaultName() + ")");
    out.println("workloads (or a path to a YCSB workload file):");
    for (String name : Workloads.BUILT_IN) {
      WorkloadSpec w = Workloads.load(name, Map.of());
      StringBuilder mix = new StringBuilder();
      w.proportions().forEach((t, p) -> mix.append(mix.length() == 0 ? "" : " ").append(t.ycsbName()).append('=').append(p));
      out.printf("  %-11s %s, %s keys, %d records%n", name, mix, w.requestDistribution, w.recordCount);
    }
    out.flush();
    return 0;
  }

  /** What the engine declares, then what it does not ("not supported by this engine"). */
  static String capabilities(EngineProvider p) {
    List<String> has = names(p.capabilities());
    List<String> lacks = names(Capability.missingFrom(p.capabilities()));
    return (has.isEmpty() ? "none" : String.join(", ", has)) + (lacks.isEmpty() ? "" : "; not supported: " + String.join(", ", lacks));
  }

  /** Lower-case names in the enum's order, as in bundles. */
  static List<String> names(Set<Capability> capabilities) {
    return Arrays.stream(Capability.values()).filter(capabilities::contains).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
  }
}
