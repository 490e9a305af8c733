package dev.raftbench.ycsb;

import java.security.Permission;
import java.util.Arrays;

/**
 * Runs YCSB's own {@code site.ycsb.Client} twice in one JVM, a load then a run, so that both see
 * one in-process cluster ({@code raftbench.keep=true}). The Client ends each phase with
 * {@code System.exit}; this runner traps the first exit (a SecurityManager, which Java 17 still
 * allows) and lets the last one through. Arguments: the load phase's, {@code --}, the run phase's.
 * (Give each phase {@code -p exportfile=...}: YCSB's text exporter closes the stream it writes to.)
 */
public final class LoadThenRun {
  private static final class ExitTrapped extends SecurityException {
    final int status;

    ExitTrapped(int status) {
      super("exit " + status);
      this.status = status;
    }
  }

  private LoadThenRun() {}

  @SuppressWarnings("removal")
  public static void main(String[] args) {
    int split = Arrays.asList(args).indexOf("--");
    if (split < 0) {
      System.err.println("usage: LoadThenRun <YCSB Client arguments of the load phase> -- <those of the run phase>"
          + " (each with -p exportfile=FILE: YCSB's exporter closes the stream it writes to)");
      System.exit(2);
    }
    String[] load = Arrays.copyOfRange(args, 0, split);
    String[] run = Arrays.copyOfRange(args, split + 1, args.length);
    try {
      System.setSecurityManager(new SecurityManager() {
        @Override
        public void checkPermission(Permission perm) {}

        @Override
        public void checkExit(int status) {
          throw new ExitTrapped(status);
        }
      });
    } catch (UnsupportedOperationException e) { // Java 18 and later, unless told otherwise
      System.err.println("LoadThenRun needs -Djava.security.manager=allow on this Java (" + System.getProperty("java.version") + ")");
      System.exit(2);
    }
    int status = phase(load);
    if (status == 0) {
      status = phase(run);
    }
    System.setSecurityManager(null);
    System.exit(status);
  }

  private static int phase(String[] args) {
    try {
      site.ycsb.Client.main(args);
      return 0;
    } catch (ExitTrapped e) {
      System.err.println("[raftbench-test] phase ended with exit " + e.status);
      return e.status;
    }
  }
}
