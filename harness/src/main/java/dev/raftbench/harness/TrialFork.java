package dev.raftbench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One trial in its own JVM, as JMH forks do: the Raft libraries clash on versions, keep static
 * state, leak threads and want their own flags. The child is this harness (its arguments from
 * {@link TrialExecution#childArgs}); its stdout and stderr are passed through as they come. A child that dies, exits non-zero or outlives its deadline is a failed
 * trial, reported with its last lines on stderr; this process never waits past the deadline.
 */
final class TrialFork {
  /** System property set in every forked trial JVM (recorded in the bundle's environment). */
  static final String FORKED_PROPERTY = "raftbench.trial.forked";
  private static final int LAST_LINES = 20;

  private final List<String> command;
  private final Duration timeout;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Deque<String> lastErrLines = new ArrayDeque<>();

  TrialFork(List<String> jvmArgs, List<String> harnessArgs, Duration timeout, PrintWriter out, PrintWriter err) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-D" + FORKED_PROPERTY + "=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Harness.class.getName());
    cmd.addAll(harnessArgs);
    this.command = List.copyOf(cmd);
    this.timeout = timeout;
    this.out = out;
    this.err = err;
  }

  /** Runs the child to its end or its deadline; returns the exit code the harness should end with. */
  int run(Path bundle) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
    // if this JVM is stopped (Ctrl-C, SIGTERM) or interrupted first, the trial JVM goes with it
    Thread reaper = new Thread(() -> kill(p), "raftbench-fork-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      return await(p, bundle);
    } finally {
      kill(p);
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or will run
      }
    }
  }

  private static void kill(Process p) {
    if (p.isAlive()) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private int await(Process p, Path bundle) throws InterruptedException {
    Thread stdout = pump(p.getInputStream(), out, false, "raftbench-fork-stdout");
    Thread stderr = pump(p.getErrorStream(), err, true, "raftbench-fork-stderr");
    boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      kill(p);
      p.waitFor(30, TimeUnit.SECONDS);
      stdout.join(5000);
      stderr.join(5000);
      err.println("harness: trial failed: the trial JVM (pid " + p.pid() + ") was still running after " + DurationConverter.human(timeout)
          + " (--trial-timeout) and was killed" + lastLines());
      err.flush();
      return Harness.FAILED;
    }
    stdout.join(10_000);
    stderr.join(10_000);
    int code = p.exitValue();
    if (code == 0) {
      if (!Files.isRegularFile(bundle.resolve("trial.json"))) {
        err.println("harness: trial failed: the trial JVM exited normally but wrote no " + bundle.resolve("trial.json") + lastLines());
        err.flush();
        return Harness.FAILED;
      }
      return 0;
    }
    if (code == Harness.USAGE || code == Harness.FAILED) {
      return code; // the child said why, on the stderr just passed through
    }
    String how = code > 128 ? " (killed by signal " + (code - 128) + ")" : "";
    err.println("harness: trial failed: the trial JVM (pid " + p.pid() + ") exited with code " + code + how + lastLines());
    err.flush();
    return Harness.FAILED;
  }

  private String lastLines() {
    synchronized (lastErrLines) {
      if (lastErrLines.isEmpty()) {
        return "; it printed nothing on stderr";
      }
      return "; its last lines on stderr:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", lastErrLines);
    }
  }

  private Thread pump(InputStream in, PrintWriter to, boolean keep, String name) {
    Thread t = new Thread(() -> {
      Progress shown = Progress.renderer(); // status lines come only when this JVM's stderr is a terminal
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (to) {
            shown.render(to, line);
          }
          if (keep && (line.isEmpty() || line.charAt(0) != Progress.STATUS)) {
            synchronized (lastErrLines) {
              if (lastErrLines.size() == LAST_LINES) {
                lastErrLines.removeFirst();
              }
              lastErrLines.addLast(line);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        synchronized (to) {
          shown.finish(to);
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
