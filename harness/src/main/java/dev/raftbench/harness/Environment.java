package dev.raftbench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a trial ran: enough to tell two bundles' machines and builds apart. */
final class Environment {
  private Environment() {}

  static Map<String, Object> describe() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("java_version", System.getProperty("java.version"));
    env.put("java_vendor", System.getProperty("java.vendor"));
    env.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    env.put("cores", Runtime.getRuntime().availableProcessors());
    env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    env.put("trial_jvm", Boolean.getBoolean(TrialFork.FORKED_PROPERTY) ? "forked" : "in-process");
    env.put("jvm_args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    String version = Environment.class.getPackage().getImplementationVersion();
    env.put("harness_version", version == null ? "development" : version);
    env.put("git_commit", git("rev-parse", "HEAD"));
    String status = git("status", "--porcelain", "--untracked-files=no");
    env.put("git_dirty", status == null ? null : !status.isEmpty());
    return env;
  }

  /** The output of a git command in the working directory, or null where there is no git or no repository. */
  private static String git(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "git";
    System.arraycopy(args, 0, cmd, 1, args.length);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      return new String(out, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
