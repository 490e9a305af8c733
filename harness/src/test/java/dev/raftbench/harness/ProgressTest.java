package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Progress: plain lines off a terminal; on one, a status line rewritten in place each second. */
class ProgressTest {
  private static final String CLEAR = "\r\u001b[2K";

  @Test
  void aStatusLineIsRewrittenInPlaceAndClearedBeforeTheNextPlainLine() {
    StringWriter shown = new StringWriter();
    PrintWriter terminal = Progress.onTerminal(new PrintWriter(shown));
    terminal.println("[raftbench] measuring for 2 s");
    terminal.println(Progress.STATUS + "[raftbench] measure 1/2 s");
    terminal.println(Progress.STATUS + "[raftbench] measure 2/2 s");
    terminal.println("[raftbench] closing the cluster");
    assertThat(shown.toString()).isEqualTo("[raftbench] measuring for 2 s" + System.lineSeparator()
        + CLEAR + "[raftbench] measure 1/2 s" + CLEAR + "[raftbench] measure 2/2 s" + CLEAR
        + "[raftbench] closing the cluster" + System.lineSeparator());
  }

  @Test
  void whatATrialPrintsLastClearsTheStatusLine() {
    StringWriter shown = new StringWriter();
    PrintWriter to = new PrintWriter(shown);
    Progress p = Progress.renderer();
    p.render(to, Progress.STATUS + "[raftbench] load 1 s");
    p.finish(to);
    p.finish(to); // nothing left to clear
    assertThat(shown.toString()).isEqualTo(CLEAR + "[raftbench] load 1 s" + CLEAR);
  }

  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void offATerminalThereAreOnlyPlainLines(@TempDir Path dir) {
    assertThat(Progress.stderrIsTerminal()).as("the test JVM's stderr is a pipe or a file").isFalse();
    HarnessCli r = HarnessCli.run("run", "workload-c", "--engine", "synthetic", "--recordcount", "100", "--warmup", "2s", "--duration", "2s",
        "--noise-floor", "0", "--out", dir.resolve("plain").toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.err).contains("[raftbench] measuring for 2 s").doesNotContain("\u001b").doesNotContain(String.valueOf(Progress.STATUS));
  }

  /** The real CLI in a forked trial, on a pseudo-terminal made by util-linux's script(1). */
  @Test
  @Timeout(120)
  void onATerminalAForkedTrialShowsItsProgressInPlace(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) from util-linux makes the terminal");
    Path typescript = dir.resolve("typescript");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String command = String.join(" ", List.of(java, "-cp", System.getProperty("java.class.path"), Harness.class.getName(), "run", "workload-c",
        "--engine", "synthetic", "--recordcount", "100", "--warmup", "2s", "--duration", "3s", "--noise-floor", "0", "--out",
        dir.resolve("live").toString()));
    Process p = new ProcessBuilder("/usr/bin/script", "-q", "-e", "-c", command, typescript.toString())
        .redirectOutput(dir.resolve("stdout").toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(100, TimeUnit.SECONDS)).as("the harness under script(1) ended").isTrue();
    String shown = Files.readString(typescript, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(shown).isZero();
    assertThat(shown).containsPattern(CLEAR.replace("[", "\\[") + "\\[raftbench\\] warm-up \\d/2 s: [\\d,]+ ops/s")
        .containsPattern("(" + CLEAR.replace("[", "\\[") + "\\[raftbench\\] measure \\d/3 s \\(\\d s left\\): [\\d,]+ ops/s, p99 [\\d.]+ ms"
            + " \\(last second\\)){2,}") // one line each second, each over the last
        .contains(CLEAR + "[raftbench] closing the cluster")
        .contains("READ") // the summary table, after the cleared status line
        .doesNotContain(String.valueOf(Progress.STATUS));
  }
}
