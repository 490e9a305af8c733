package dev.raftbench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code harness compare BUNDLE...}: several bundles side by side in one comparison bundle. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare results bundles (trials, repeated trials, sweeps): percentile spectra on one chart, throughput bars"
        + " (95%% CI where repeated), time series, latency-throughput curves of sweeps; comparison.csv, comparison.json, PNG and SVG"
        + " charts and a self-contained report.html."})
final class CompareCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "BUNDLE", description = "bundle directories")
  List<Path> bundles;

  @Option(names = "--out", description = "the comparison bundle's directory (default results/runs/<time>-compare/)")
  Path out;

  @Override
  public Integer call() throws Exception {
    for (Path b : bundles) {
      if (!Files.isDirectory(b)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "no such bundle directory: " + b);
      }
    }
    Path dir = out != null ? out : Path.of("results", "runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-compare");
    Comparison.write(bundles, dir, spec.commandLine().getOut());
    return 0;
  }
}
