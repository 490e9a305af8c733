package dev.raftbench.store.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slow-sync library in a real child JVM: with a delay set, each {@code FileChannel.force}
 * (fdatasync) takes at least that long; the child reads the delay at each sync, so the delay is
 * set while it runs. Only a lower bound is asserted: nothing can make a sleep shorter.
 */
class SlowSyncTest {
  /** Forces a file {@code args[1]} times, then writes the shortest force in microseconds to {@code args[2]}. */
  public static final class Syncer {
    public static void main(String[] args) throws IOException {
      long shortest = Long.MAX_VALUE;
      try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
          c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
          long t0 = System.nanoTime();
          c.force(false);
          shortest = Math.min(shortest, (System.nanoTime() - t0) / 1000);
        }
      }
      ChildProcess.writeWhole(Path.of(args[2]), String.valueOf(shortest));
    }
  }

  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void everySyncWaitsForTheDelaySet(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(SlowSync.available(), "this build has no slow-sync library (no gcc)");
    Map<String, String> installed = SlowSync.install(dir);
    Path node = Files.createDirectories(dir.resolve("n1"));
    SlowSync.set(node, Duration.ofMillis(150));
    Path result = dir.resolve("shortest");
    ChildProcess p = new ChildProcess("syncer", ChildProcess.javaCommand(List.of(), Syncer.class.getName(),
        List.of(dir.resolve("data").toString(), "3", result.toString())), dir.resolve("syncer.log"), SlowSync.environment(installed, node));
    try {
      p.start();
      p.awaitReady(result, Duration.ofSeconds(60));
    } finally {
      p.kill();
    }
    assertThat(Long.parseLong(Files.readString(result))).as("the shortest of 3 syncs, in us").isGreaterThanOrEqualTo(150_000);
  }
}
