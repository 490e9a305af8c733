package dev.raftbench.harness;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The warm-up before the measured phase, discarded: a fixed time ({@code --warmup 10s}), or
 * {@code --warmup auto[:MAX[:BLOCK]]}: until the workload has levelled, at most MAX (default 5 m).
 *
 * <p>Levelled means: the workload's rate over each of the last {@value #WINDOWS} windows of
 * {@value #WINDOW_BLOCKS} blocks of BLOCK (default 5 s) is within {@value #TOLERANCE_PERCENT} % of
 * its rate over the window before. The rate is operations completed per second in closed loop; in
 * open loop, where the schedule sets the throughput, it is the median service time. Windows
 * compared, rather than the spread inside one, so that a slow climb does not pass for a plateau;
 * three of them, because JIT compilers on two cores make a first plateau: SOFAJRaft in processes
 * (four JVMs compiling the same code) did 831, 844, 868 and 941 ops/s in its first four 5 s blocks,
 * which two windows would have called level, then climbed to 4,000 by 80 s. A plateau longer than
 * three windows that a later compilation leaves still passes, so the JIT compilers must be quiet
 * as well: at most {@value #JIT_PERCENT} % of one core in each block of the last window, summed over
 * the trial's JVM and the node JVMs it started ({@link JitMeter}; daemons of a cluster file run
 * elsewhere and are not seen). Ratis embedded, 16 workers: its throughput looked level at 60 s
 * (470 ops/s) while its compilers were still busy; they went quiet at about 90 s, and 20 s measured
 * after 170 s of warm-up gave 1,097 ops/s. The bundle keeps every block.
 *
 * @param auto  until levelled, at most {@code max}; else exactly {@code max}
 * @param max   the fixed warm-up, or the most an automatic one lasts
 * @param block how often an automatic warm-up looks at the rate
 */
record Warmup(boolean auto, Duration max, Duration block) {
  static final int WINDOW_BLOCKS = 2;
  static final int WINDOWS = 3;
  static final int TOLERANCE_PERCENT = 10;
  static final int JIT_PERCENT = 10;
  static final Duration DEFAULT_MAX = Duration.ofMinutes(5);
  static final Duration DEFAULT_BLOCK = Duration.ofSeconds(5);
  private static final Pattern AUTO = Pattern.compile("auto(?::([^:]+))?(?::([^:]+))?");

  static Warmup fixed(Duration d) {
    return new Warmup(false, d, Duration.ZERO);
  }

  /** {@code 10s}, {@code auto}, {@code auto:3m} or {@code auto:3m:2s}. */
  static Warmup parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    Matcher m = AUTO.matcher(v);
    if (!m.matches()) {
      if (v.startsWith("auto")) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not auto[:MAX[:BLOCK]] (e.g. auto, auto:3m, auto:3m:2s)");
      }
      return fixed(DurationConverter.parse(v));
    }
    Duration max = m.group(1) == null ? DEFAULT_MAX : DurationConverter.parse(m.group(1));
    Duration block = m.group(2) == null ? DEFAULT_BLOCK : DurationConverter.parse(m.group(2));
    if (block.toMillis() < 100) {
      throw new CommandLine.TypeConversionException("'" + value + "': a block of at least 100ms");
    }
    if (max.compareTo(block.multipliedBy((long) WINDOWS * WINDOW_BLOCKS)) < 0) {
      throw new CommandLine.TypeConversionException("'" + value + "': at most " + DurationConverter.human(max) + " leaves no room for "
          + WINDOWS * WINDOW_BLOCKS + " blocks of " + DurationConverter.human(block) + " (" + WINDOWS + " windows to compare)");
    }
    return new Warmup(true, max, block);
  }

  /** Whether an automatic warm-up with these blocks so far is over: the rates levelled and the compilers quiet. */
  boolean warm(List<Block> blocks) {
    return levelled(blocks.stream().map(Block::rate).toList()) && compilersQuiet(blocks, block);
  }

  /**
   * Whether the series of per-block rates has levelled: the means of the last {@link #WINDOWS}
   * windows of {@link #WINDOW_BLOCKS} blocks each within {@link #TOLERANCE_PERCENT} % of the one
   * before.
   */
  static boolean levelled(List<Double> rates) {
    int n = rates.size();
    if (n < WINDOWS * WINDOW_BLOCKS) {
      return false;
    }
    double later = mean(rates.subList(n - WINDOW_BLOCKS, n));
    for (int w = 2; w <= WINDOWS; w++) {
      double earlier = mean(rates.subList(n - w * WINDOW_BLOCKS, n - (w - 1) * WINDOW_BLOCKS));
      if (earlier <= 0 || later <= 0 || Math.abs(later - earlier) > earlier * TOLERANCE_PERCENT / 100.0) {
        return false;
      }
      later = earlier;
    }
    return true;
  }

  /**
   * Whether the JIT compilers (of the trial's JVM and its node JVMs) used at most {@value
   * #JIT_PERCENT} % of one core in each block of the last window; true where that is not known.
   */
  static boolean compilersQuiet(List<Block> blocks, Duration block) {
    if (blocks.size() < WINDOW_BLOCKS) {
      return false;
    }
    for (Block b : blocks.subList(blocks.size() - WINDOW_BLOCKS, blocks.size())) {
      if (b.jitMillis() != null && b.jitMillis() * 100 > block.toMillis() * JIT_PERCENT) {
        return false;
      }
    }
    return true;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  /**
   * One block of an automatic warm-up: when it ended (s from the warm-up's start), its ops/s, in
   * open loop its median service time, and the CPU the JIT compilers of the trial's JVM and its
   * node JVMs used during it ({@link JitMeter}, ms; null without /proc).
   */
  record Block(double endSeconds, double opsPerSecond, Double serviceP50Micros, Long jitMillis) {
    double rate() {
      return serviceP50Micros != null ? serviceP50Micros : opsPerSecond;
    }
  }

  /** What the warm-up was: how long it lasted, and for an automatic one whether it levelled and its blocks. */
  record Outcome(Warmup asked, double seconds, boolean levelled, List<Block> blocks) {}

  static final class Converter implements CommandLine.ITypeConverter<Warmup> {
    @Override
    public Warmup convert(String value) {
      return parse(value);
    }
  }
}
