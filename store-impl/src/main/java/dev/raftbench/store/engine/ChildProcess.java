package dev.raftbench.store.engine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server process an engine starts and watches (an etcd member, a node JVM): started again on
 * the same command after a kill, killed with SIGKILL as a crash would, frozen with SIGSTOP,
 * stopped with SIGTERM. Its output goes to a log file (appended across restarts). Its standard
 * input is a pipe the engine never writes: a child that reads it sees end-of-file when the
 * engine's JVM dies, however it dies, and can exit rather than outlive it.
 */
public final class ChildProcess {
  private final String name;
  private final List<String> command;
  private final Path log;
  private final Map<String, String> environment;
  private Process process;
  private boolean paused;

  public ChildProcess(String name, List<String> command, Path log) {
    this(name, command, log, Map.of());
  }

  /** With {@code environment} added to this JVM's. */
  public ChildProcess(String name, List<String> command, Path log, Map<String, String> environment) {
    this.name = name;
    this.command = List.copyOf(command);
    this.log = log;
    this.environment = Map.copyOf(environment);
  }

  /** {@code java [jvmArgs] -cp <this JVM's class path> mainClass [args]}: a JVM of this build's classes. */
  public static List<String> javaCommand(List<String> jvmArgs, String mainClass, List<String> args) {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.addAll(jvmArgs);
    c.add("-cp");
    c.add(System.getProperty("java.class.path"));
    c.add(mainClass);
    c.addAll(args);
    return c;
  }

  public Path log() {
    return log;
  }

  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    process = builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start(); // stdin stays a pipe, open as long as this JVM lives
    paused = false;
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGSTOP: the process keeps its memory and sockets and does nothing until {@link #resume}. */
  public synchronized void pause() {
    if (process != null && process.isAlive() && !paused) {
      signal("STOP");
      paused = true;
    }
  }

  /** SIGCONT. */
  public synchronized void resume() {
    if (process != null && paused) {
      signal("CONT");
    }
    paused = false;
  }

  /** SIGKILL, as a crash: nothing is written that the process had not already written. */
  public synchronized void kill() {
    paused = false;
    if (process != null) {
      process.destroyForcibly();
      waitFor(process, 30);
      process = null;
    }
  }

  /** SIGTERM (after SIGCONT if frozen), then SIGKILL if it has not exited within the grace period. */
  public synchronized void stop(int graceSeconds) {
    if (process != null) {
      if (paused) {
        resume(); // a stopped process would hold SIGTERM until continued
      }
      process.destroy();
      if (!waitFor(process, graceSeconds)) {
        process.destroyForcibly();
        waitFor(process, 30);
      }
      process = null;
    }
  }

  /** Java sends only TERM and KILL itself: the others go through kill(1). */
  private void signal(String signal) {
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true).start();
      String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (k.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + name + ") failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run kill -" + signal + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
    }
  }

  private static boolean waitFor(Process p, int seconds) {
    try {
      return p.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last bytes the process wrote, for an error message. */
  public String logTail(int maxBytes) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, f.length() - maxBytes);
      byte[] b = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Waits until the child has written {@code marker} (a node's "ready" file, see
   * {@link #writeWhole}); fails with the end of its log if it exits first, or after
   * {@code patience}.
   */
  public void awaitReady(Path marker, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!Files.exists(marker)) {
      if (!alive()) {
        throw new EngineException(name + " exited while starting; the end of its log (" + log + "):\n" + logTail(3000), false);
      }
      if (System.nanoTime() > deadline) {
        throw new EngineException(name + " was not ready within " + patience.toSeconds() + " s; its log: " + log, false);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Writes {@code text} to {@code file} whole (a temporary file, then a rename), so a reader never
   * sees half: a node's "ready" marker (see {@link #awaitReady}), a control file a node reads.
   */
  public static void writeWhole(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** For a child that reads nothing else from stdin: blocks until the parent's JVM is gone. */
  public static void awaitParentExit() {
    try {
      while (System.in.read() != -1) {
        // the parent never writes; anything read is ignored
      }
    } catch (IOException closed) {
      // as good as end-of-file
    }
  }
}
