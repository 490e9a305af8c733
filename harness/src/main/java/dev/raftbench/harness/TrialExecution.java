package dev.raftbench.harness;

import dev.raftbench.store.engine.Engines;
import java.io.PrintWriter;
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
  private static final Set<String> PARENT_ONLY = Set.of("--forks", "--out", "--repeat", "--rates", "--steps", "--target");

  private TrialExecution() {}

  /** Runs the trial; returns the exit code (0, or {@link Harness#FAILED} / {@link Harness#USAGE} from a child). */
  static int run(TrialOptions options, RunSpec run, PrintWriter out, PrintWriter err) throws Exception {
    if (options.forks == 0) {
      TrialResult result = new TrialRunner(run, options.quiet ? null : err).run();
      BundleWriter.write(result);
      SummaryTable.print(result, out);
      return 0;
    }
    Duration timeout = options.trialTimeout != null ? options.trialTimeout
        : run.warmup().plus(run.duration()).plus(run.noiseFloor()).plus(Duration.ofMinutes(20));
    List<String> jvmArgs = Engines.byName(run.engine()).jvmArgs(run.cluster());
    List<String> args = childArgs(options.spec.commandLine().getParseResult().originalArgs(), options.spec.name(), run.target(), run.out());
    return new TrialFork(jvmArgs, args, timeout, out, err).run(run.out());
  }

  /**
   * The child's arguments: the user's, from the subcommand on, as {@code run}, without the
   * parent's own options, then {@code --target} if the trial has one, {@code --forks 0 --out DIR}.
   */
  static List<String> childArgs(List<String> original, String command, Double target, java.nio.file.Path out) {
    int from = original.indexOf(command);
    List<String> args = new ArrayList<>();
    args.add("run");
    for (int i = from + 1; i < original.size(); i++) {
      String a = original.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (PARENT_ONLY.contains(name)) {
        if (!a.contains("=")) {
          i++; // and its value
        }
      } else {
        args.add(a);
      }
    }
    if (target != null) {
      args.addAll(List.of("--target", Double.toString(target)));
    }
    args.addAll(List.of("--forks", "0", "--out", out.toAbsolutePath().toString()));
    return args;
  }
}
