package dev.raftbench.harness;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Progress on stderr. Lines are plain; a <em>status</em> line (marked by {@link #STATUS} at its
 * start, written each second while a phase lasts) is shown only on a terminal, in place: it is
 * rewritten rather than scrolled, and cleared before the next plain line. Off a terminal (a pipe,
 * a file, CI) status lines are never written and the plain lines every 10 s say the same.
 *
 * <p>A forked trial JVM writes into a pipe: its parent, which holds the terminal, tells it to write
 * status lines ({@link #LIVE_PROPERTY}) and renders them (the pump of {@link TrialFork}).
 */
final class Progress {
  /** Marks a status line between the trial JVM and the renderer; never shown. */
  static final char STATUS = '\u0001';
  /** System property telling a trial JVM that its progress ends on a terminal. */
  static final String LIVE_PROPERTY = "raftbench.live";
  /** Carriage return, then erase the line (ECMA-48 EL 2). */
  private static final String CLEAR = "\r\u001b[2K";

  private boolean shown;

  private Progress() {}

  /**
   * Whether this process' stderr is a terminal: on Linux its descriptor links to a tty or a pty
   * (Java has no isatty for stderr); never with {@code TERM=dumb}.
   */
  static boolean stderrIsTerminal() {
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false; // no /proc: plain lines
    }
  }

  /** Whether this JVM writes status lines: its stderr is a terminal, or its parent renders them on one. */
  static boolean live() {
    return Boolean.getBoolean(LIVE_PROPERTY) || (!Boolean.getBoolean(TrialFork.FORKED_PROPERTY) && stderrIsTerminal());
  }

  /** A writer that shows status lines in place on {@code terminal}, and other lines as they are. */
  static PrintWriter onTerminal(PrintWriter terminal) {
    Progress p = new Progress();
    return new PrintWriter(terminal) {
      @Override
      public void println(String line) {
        synchronized (terminal) {
          p.render(terminal, line);
        }
      }
    };
  }

  /** Shows one line from a trial: a status line in place of the last, any other on a line of its own. */
  void render(PrintWriter to, String line) {
    if (!line.isEmpty() && line.charAt(0) == STATUS) {
      to.print(CLEAR + line.substring(1));
      shown = true;
    } else {
      if (shown) {
        to.print(CLEAR);
        shown = false;
      }
      to.println(line);
    }
    to.flush();
  }

  /** Clears a status line still shown (the trial's output ended). */
  void finish(PrintWriter to) {
    if (shown) {
      to.print(CLEAR);
      to.flush();
      shown = false;
    }
  }

  static Progress renderer() {
    return new Progress();
  }
}
