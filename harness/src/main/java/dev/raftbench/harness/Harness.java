package dev.raftbench.harness;

import java.io.PrintWriter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar harness.jar}: the RaftBench command line. */
@Command(name = "harness", mixinStandardHelpOptions = true, versionProvider = Harness.Version.class,
    description = "RaftBench: benchmark sharded Raft key-value stores on the JVM.",
    subcommands = {RunCommand.class, SweepCommand.class, MatrixCommand.class, CompareCommand.class, ReportCommand.class, GateCommand.class,
        HashingCommand.class, ListCommand.class, NodeCommand.class, CommandLine.HelpCommand.class})
public final class Harness implements Runnable {
  /** Exit code for bad input (picocli's convention). */
  public static final int USAGE = 2;
  /** Exit code for a trial that could not complete. */
  public static final int FAILED = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (run, sweep, matrix, compare, report, gate, hashing, list, node)");
  }

  public static void main(String[] args) {
    int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    // Raft libraries leave non-daemon threads behind on failures: never hang after the last word
    System.exit(code);
  }

  /** Runs the command line and returns the exit code; for tests and main. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    System.setProperty("java.awt.headless", "true");
    quietJul();
    CommandLine cl = new CommandLine(new Harness());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("harness: " + ex.getMessage() + " (see 'harness " + commandPath(ex.getCommandLine()) + "--help')");
      err.flush();
      return USAGE;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      Throwable t = ex;
      if (t instanceof IllegalArgumentException) {
        err.println("harness: " + t.getMessage());
        err.flush();
        return USAGE;
      }
      err.println("harness: " + (commandLine.getCommand() instanceof NodeCommand ? "" : "trial failed: ") + describe(t));
      if (commandLine.getCommand() instanceof NodeCommand) {
        // its message names the node, the address and the cause
      } else if (verbose(commandLine.getCommand())) {
        t.printStackTrace(err);
      } else {
        err.println("harness: run again with --verbose for the stack trace");
      }
      err.flush();
      return FAILED;
    });
    return cl.execute(args);
  }

  private static boolean verbose(Object command) {
    return command instanceof RunCommand rc ? rc.trial.verbose : command instanceof SweepCommand sc && sc.trial.verbose;
  }

  private static String commandPath(CommandLine cl) {
    String path = cl.getCommandSpec().qualifiedName(" ");
    String sub = path.startsWith("harness") ? path.substring("harness".length()).trim() : path;
    return sub.isEmpty() ? "" : sub + " ";
  }

  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()));
    Throwable c = t.getCause();
    for (int i = 0; c != null && c != t && i < 3; i++, c = c.getCause()) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(": ").append(c.getMessage());
      }
    }
    return sb.toString();
  }

  /** Ratis' shaded gRPC logs through java.util.logging: keep it to real trouble. */
  private static void quietJul() {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.SEVERE);
    java.util.logging.ConsoleHandler h = new java.util.logging.ConsoleHandler();
    h.setLevel(Level.SEVERE);
    root.addHandler(h);
    // SOFAJRaft's gRPC transport (unshaded gRPC) reports requests refused by a server shutting
    // down as SEVERE with a stack trace on every normal close: kept off like its slf4j logs
    GRPC_JUL.setLevel(Level.OFF);
  }

  /** Held, so the level set on it is not lost with a collected logger. */
  private static final Logger GRPC_JUL = Logger.getLogger("io.grpc");

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Harness.class.getPackage().getImplementationVersion();
      return new String[] {"RaftBench harness " + (v == null ? "(development build)" : v)};
    }
  }
}
