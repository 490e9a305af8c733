package dev.raftbench.store.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

/**
 * The slow disk of a node process: {@code libraftbench-slowsync.so} (built from
 * {@code src/main/c/slowsync.c} where gcc was found) is preloaded into it, and makes each of its
 * fsync, fdatasync and msync calls wait first for the microseconds written in the node's control
 * file ({@code <node dir>/slow-disk}). The library intercepts calls through the C library, which
 * is how the JDK's {@code FileChannel.force} and RocksDB sync; a Go program such as etcd makes
 * its system calls itself and is not slowed.
 */
public final class SlowSync {
  private static final String RESOURCE = "/native/libraftbench-slowsync.so";
  private static final String CONTROL = "slow-disk";

  private SlowSync() {}

  /** Whether this build carries the library (and this is Linux on the machine it was built for). */
  public static boolean available() {
    return SlowSync.class.getResource(RESOURCE) != null && System.getProperty("os.name", "").startsWith("Linux");
  }

  /** Copies the library into {@code dir} (the engine's data dir), once; empty when this build has none. */
  public static Map<String, String> install(Path dir) throws IOException {
    if (!available()) {
      return Map.of();
    }
    Path lib = dir.resolve("libraftbench-slowsync.so");
    if (!Files.exists(lib)) {
      try (InputStream in = SlowSync.class.getResourceAsStream(RESOURCE)) {
        Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return Map.of("LD_PRELOAD", lib.toAbsolutePath().toString());
  }

  /** The environment of a node process whose directory is {@code nodeDir}: the library and its control file. */
  public static Map<String, String> environment(Map<String, String> installed, Path nodeDir) {
    if (installed.isEmpty()) {
      return Map.of();
    }
    return Map.of("LD_PRELOAD", installed.get("LD_PRELOAD"), "RAFTBENCH_SLOW_DISK", nodeDir.resolve(CONTROL).toAbsolutePath().toString());
  }

  /** Sets the node's delay per sync (zero: none); the node reads it at its next sync (if {@link #install} gave it the library). */
  public static void set(Path nodeDir, Duration delay) {
    try {
      ChildProcess.writeWhole(nodeDir.resolve(CONTROL), String.valueOf(delay.toNanos() / 1000));
    } catch (IOException e) {
      throw new EngineException("setting the disk delay of " + nodeDir + ": " + e.getMessage(), false);
    }
  }
}
