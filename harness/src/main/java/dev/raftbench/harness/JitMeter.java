package dev.raftbench.harness;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU time the JIT compiler threads ({@code C1 CompilerThread*}, {@code C2 CompilerThread*})
 * of this JVM and of every process below it (a trial's node JVMs in {@code --cluster processes})
 * have used, read from {@code /proc}. On two cores the compilers of four JVMs take half the
 * machine for a minute and more (Ratis embedded: its trial JVM's compilers were busy 11 to 14 s of
 * every 10 s for 50 s), so a warm-up is not over while they are at work.
 */
final class JitMeter {
  /** Linux' USER_HZ: the unit of utime and stime in /proc/PID/task/TID/stat. */
  private static final long TICKS_PER_SECOND = 100;
  private static final Path PROC = Path.of("/proc");

  private JitMeter() {}

  /** Milliseconds of CPU, summed over the compiler threads alive now; -1 where there is no /proc. */
  static long compilerCpuMillis() {
    if (!Files.isDirectory(PROC.resolve("self").resolve("task"))) {
      return -1;
    }
    List<Long> pids = new ArrayList<>();
    pids.add(ProcessHandle.current().pid());
    ProcessHandle.current().descendants().forEach(p -> pids.add(p.pid()));
    long ticks = 0;
    for (long pid : pids) {
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
        for (Path task : tasks) {
          ticks += compilerTicks(task);
        }
      } catch (IOException | RuntimeException gone) {
        // the process ended meanwhile
      }
    }
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  private static long compilerTicks(Path task) {
    try {
      String name = Files.readString(task.resolve("comm")).trim();
      if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
        return 0;
      }
      String stat = Files.readString(task.resolve("stat"));
      // after the parenthesised name: field 3 (state) onwards; utime and stime are fields 14 and 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException gone) {
      return 0; // the thread ended meanwhile
    }
  }
}
