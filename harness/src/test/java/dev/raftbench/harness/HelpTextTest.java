package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's --help renders as written: picocli formats descriptions with String.format, so
 * a bare '%' (as in "95% CI") makes it print a warning on System.err and show the raw text.
 */
class HelpTextTest {
  @Test
  void everyCommandsHelpFormatsWithoutWarnings() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      CommandLine root = new CommandLine(new Harness());
      assertThat(root.getUsageMessage()).contains("run");
      assertThat(root.getSubcommands()).containsKeys("run", "sweep", "matrix", "compare", "report", "gate", "hashing", "list");
      for (CommandLine sub : root.getSubcommands().values()) {
        assertThat(sub.getUsageMessage()).as(sub.getCommandName()).contains("Usage:");
      }
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).as("picocli's warnings").doesNotContain("picocli WARN").isEmpty();
  }
}
