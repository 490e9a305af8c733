package dev.raftbench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code harness sweep WORKLOAD}: the same trial at a series of open-loop target rates, each step
 * a trial of its own (fresh cluster, its own JVM), then one latency-throughput curve over them.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the trial at a series of target rates (open loop) and draw latency against achieved throughput.",
        "Without --rates: first a closed-loop trial finds the maximum sustainable rate, then --steps steps from 10%% to 100%% of it."})
final class SweepCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  TrialOptions trial;

  @Option(names = "--rates", split = ",", paramLabel = "OPS", description = "target rates in operations per second, e.g. 500,1000,2000")
  List<Double> rates;

  @Option(names = "--steps", defaultValue = "10", description = "steps from 10%% to 100%% of the maximum rate found (default ${DEFAULT-VALUE})")
  int steps;

  @Override
  public Integer call() throws Exception {
    if (trial.target != null) {
      throw trial.bad("a sweep sets the target of each step: give --rates (or nothing, to find them), not --target");
    }
    if (steps <= 0) {
      throw trial.bad("--steps must be positive, was " + steps);
    }
    if (rates != null) {
      for (Double r : rates) {
        if (r == null || !(r > 0) || !Double.isFinite(r)) {
          throw trial.bad("--rates must be positive numbers of operations per second, got " + rates);
        }
      }
    }
    RunSpec base = trial.toRunSpec(null);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = base.out();
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();

    Double maxRate = null;
    List<Double> targets = rates;
    if (targets == null) {
      RunSpec probe = base.withOut(dir.resolve("max-closed-loop"));
      progress(err, "finding the maximum sustainable rate: closed loop, %d threads x %d in flight", base.threads(), base.inflight());
      int code = TrialExecution.run(trial, probe, out, err);
      if (code != 0) {
        return code;
      }
      maxRate = json.readTree(probe.out().resolve("trial.json").toFile()).at("/summary/throughput_ops_s").asDouble();
      if (!(maxRate > 0)) {
        err.println("harness: trial failed: the closed-loop trial completed no operation, so there is no rate to sweep");
        return Harness.FAILED;
      }
      targets = new ArrayList<>();
      for (int i = 1; i <= steps; i++) {
        targets.add(maxRate * i / steps);
      }
    }
    List<Sweep.Step> done = new ArrayList<>();
    int code = 0;
    for (int i = 0; i < targets.size(); i++) {
      double rate = targets.get(i);
      RunSpec step = base.withTarget(rate, dir.resolve(String.format(Locale.ROOT, "step-%02d-%.0f-ops", i + 1, rate)));
      progress(err, "step %d of %d: target %.0f ops/s", i + 1, targets.size(), rate);
      code = TrialExecution.run(trial, step, out, err);
      if (code != 0) {
        break; // the curve keeps the steps that completed
      }
      done.add(Sweep.Step.read(step.out(), rate));
    }
    if (!done.isEmpty()) {
      Sweep.write(dir, base, maxRate, done);
      out.println("sweep: " + done.size() + " steps; curve: " + dir.resolve("curve.csv").toAbsolutePath().normalize());
      out.flush();
    }
    return code;
  }

  private void progress(PrintWriter err, String format, Object... args) {
    if (!trial.quiet) {
      err.println("[raftbench] sweep: " + String.format(Locale.ROOT, format, args));
      err.flush();
    }
  }
}
