package dev.raftbench.harness;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in this JVM and keeps what it printed. */
final class HarnessCli {
  final int code;
  final String out;
  final String err;

  private HarnessCli(int code, String out, String err) {
    this.code = code;
    this.out = out;
    this.err = err;
  }

  static HarnessCli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Harness.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new HarnessCli(code, out.toString(), err.toString());
  }
}
