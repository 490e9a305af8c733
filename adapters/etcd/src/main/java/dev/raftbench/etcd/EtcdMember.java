package dev.raftbench.etcd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One etcd process: a member of one shard's cluster, living on one node. Its data stays in
 * {@code dir/data} across a kill and restart; its output goes to {@code dir/etcd.log}.
 */
final class EtcdMember {
  final String node;
  final int shard;
  final URI clientUrl;
  final URI peerUrl;
  final Path dir;
  private final List<String> command;
  private Process process;
  private boolean paused;

  EtcdMember(String node, int shard, URI clientUrl, URI peerUrl, Path dir, List<String> command) {
    this.node = node;
    this.shard = shard;
    this.clientUrl = clientUrl;
    this.peerUrl = peerUrl;
    this.dir = dir;
    this.command = List.copyOf(command);
  }

  Path log() {
    return dir.resolve("etcd.log");
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    Files.createDirectories(dir);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** SIGSTOP: the process keeps everything and does nothing until {@link #resume}. */
  synchronized void pause() {
    if (process != null && process.isAlive() && !paused) {
      signal("STOP");
      paused = true;
    }
  }

  /** SIGCONT. */
  synchronized void resume() {
    if (process != null && paused) {
      signal("CONT");
    }
    paused = false;
  }

  /** Java can send only TERM and KILL itself: the others go through kill(1). */
  private void signal(String name) {
    try {
      Process k = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
      String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (k.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run kill -" + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }

  /** SIGKILL, as a crash: nothing is flushed that etcd had not already synced. */
  synchronized void kill() {
    paused = false;
    if (process != null) {
      process.destroyForcibly();
      waitFor(process, 30);
      process = null;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  synchronized void stop() {
    if (process != null) {
      if (paused) {
        resume(); // a stopped process would hold SIGTERM until continued
      }
      process.destroy();
      if (!waitFor(process, 10)) {
        process.destroyForcibly();
        waitFor(process, 30);
      }
      process = null;
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

  /** The last lines etcd wrote, for an error message. */
  String logTail(int maxBytes) {
    try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "r")) {
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
    return node + "/shard-" + shard + " (" + clientUrl + ")";
  }
}
