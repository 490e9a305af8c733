package dev.raftbench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code harness report BUNDLE}: the bundle's report.html, charts embedded. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write BUNDLE/report.html: one self-contained page (charts embedded, nothing fetched) for a trial, repeated trial,"
        + " sweep or comparison.")
final class ReportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE", description = "a bundle directory")
  Path bundle;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(bundle)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no such bundle directory: " + bundle);
    }
    Path html = Report.write(bundle);
    spec.commandLine().getOut().println("report: " + html.toAbsolutePath());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
