package dev.raftbench.harness;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code harness run WORKLOAD}: one trial, one results bundle; or N repeats and their statistics. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run one trial: start a cluster, load the records, warm up, measure, write a results bundle.",
        "WORKLOAD is a built-in name (workload-a .. workload-f, write-only, read-only-uniform, scan-heavy; see list) or a path to a YCSB workload file."})
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  TrialOptions trial;

  @Option(names = "--repeat", defaultValue = "1", description = "run the trial N times, each on a fresh cluster in a fresh JVM;"
      + " the bundle holds each repeat and repeats.json (median, 95%% confidence interval of throughput) (default ${DEFAULT-VALUE})")
  int repeat;

  /** Parses and checks the arguments of a {@code run} (its name first) without running it: null if they are fine, else the problem. */
  static String validate(List<String> runArgs) {
    RunCommand rc = new RunCommand();
    CommandLine cl = new CommandLine(rc);
    cl.setErr(new PrintWriter(java.io.Writer.nullWriter()));
    try {
      cl.parseArgs(runArgs.subList(1, runArgs.size()).toArray(String[]::new));
      if (rc.repeat <= 0) {
        return "--repeat must be positive, was " + rc.repeat;
      }
      rc.trial.toRunSpec(null);
      return null;
    } catch (CommandLine.ParameterException | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  @Override
  public Integer call() throws Exception {
    if (repeat <= 0) {
      throw trial.bad("--repeat must be positive, was " + repeat);
    }
    RunSpec run = trial.toRunSpec(null);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    if (repeat == 1) {
      return TrialExecution.run(trial, run, out, err);
    }
    List<java.nio.file.Path> bundles = new ArrayList<>();
    for (int i = 1; i <= repeat; i++) {
      RunSpec one = run.withOut(run.out().resolve(String.format("repeat-%02d", i)));
      if (!trial.quiet) {
        err.printf("[raftbench] repeat %d of %d%n", i, repeat);
        err.flush();
      }
      int code = TrialExecution.run(trial, one, out, err);
      if (code != 0) {
        return code;
      }
      bundles.add(one.out());
    }
    Repeats.write(run.out(), bundles, out);
    return 0;
  }
}
