package dev.raftbench.harness;

import dev.raftbench.store.engine.Engines;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs one trial the way the options say: in a forked JVM (the harness again, as {@code run}
 * with the same arguments, {@code --forks 0} and the bundle directory fixed) or in this JVM.
 * {@code run}, {@code run --repeat} and {@code sweep} all go through here.
 */
final class TrialExecution {
  /** Options of the parent that the child must not see: it gets its own values for them. */
  private static final Set<String> PARENT_ONLY = Set.of("--forks", "--out", "--repeat", "--rates", "--steps", "--target", "--data-dir",
      "--jvm-arg");

  private TrialExecution() {}

  /** Runs the trial; returns the exit code (0, or {@link Harness#FAILED} / {@link Harness#USAGE} from a child). */
  static int run(TrialOptions options, RunSpec run, PrintWriter out, PrintWriter err) throws Exception {
    if (options.forks == 0) {
      boolean live = !options.quiet && Progress.live();
      // a forked trial writes its status lines into the pipe for its parent to show
      PrintWriter progress = options.quiet ? null : live && !Boolean.getBoolean(TrialFork.FORKED_PROPERTY) ? Progress.onTerminal(err) : err;
      TrialResult result = new TrialRunner(run, progress, live).run();
      BundleWriter.write(result);
      SummaryTable.print(result, out);
      if (result.verify().lost() > 0) {
        err.println("harness: trial failed: " + result.verify().lost() + " keys lost acknowledged writes (verify in "
            + run.out().resolve("trial.json") + ")");
        err.flush();
        return Harness.FAILED;
      }
      if (result.linearizability() != null && result.linearizability().verdict().result() == Linearizability.Result.VIOLATION) {
        err.println("harness: trial failed: the history is not linearizable (key " + result.linearizability().verdict().violatingKey()
            + "; history in " + run.out().resolve("history.csv") + ")");
        err.flush();
        return Harness.FAILED;
      }
      return 0;
    }
    Duration timeout = options.trialTimeout != null ? options.trialTimeout : defaultTimeout(run);
    List<String> jvmArgs = new ArrayList<>(Engines.byName(run.engine()).jvmArgs(run.cluster()));
    jvmArgs.addAll(options.jvmArgs);
    if (!options.quiet && Progress.stderrIsTerminal()) {
      jvmArgs.add("-D" + Progress.LIVE_PROPERTY + "=true");
    }
    List<String> args = childArgs(options.spec.commandLine().getParseResult().originalArgs(), options.spec.name(), run.target(), run.out(),
        run.cluster().dataDir());
    return new TrialFork(jvmArgs, args, timeout, out, err).run(run.out());
  }

  /**
   * Warm-up, measurement and noise floor, plus 20 minutes for start, drain and close, plus the
   * load at a slow 100 records a second: generous, since the trial has its own deadlines and
   * this one is only the backstop against a JVM that hangs.
   */
  static Duration defaultTimeout(RunSpec run) {
    return run.warmup().max().plus(run.duration()).plus(run.noiseFloor()).plus(Duration.ofMinutes(20))
        .plusSeconds(run.workload().recordCount / 100);
  }

  /**
   * The child's arguments: {@code run}, this trial's own {@code --forks 0 --out DIR} (and
   * {@code --target}, {@code --data-dir} when it has them), then the user's arguments from the
   * subcommand on without the parent's own options. Ours come first, so a user's {@code --}
   * (end of options) stays in force after them.
   */
  static List<String> childArgs(List<String> original, String command, Double target, Path out, Path dataDir) {
    int from = original.indexOf(command);
    List<String> args = new ArrayList<>(List.of("run", "--forks", "0", "--out", out.toAbsolutePath().toString()));
    if (target != null) {
      args.addAll(List.of("--target", Double.toString(target)));
    }
    if (dataDir != null) {
      args.addAll(List.of("--data-dir", dataDir.toAbsolutePath().toString()));
    }
    boolean optionsEnded = false;
    for (int i = from + 1; i < original.size(); i++) {
      String a = original.get(i);
      if (optionsEnded) {
        args.add(a);
        continue;
      }
      if (a.equals("--")) {
        optionsEnded = true;
        args.add(a);
        continue;
      }
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (PARENT_ONLY.contains(name)) {
        if (!a.contains("=")) {
          i++; // and its value
        }
      } else {
        args.add(a);
      }
    }
    return args;
  }
}
