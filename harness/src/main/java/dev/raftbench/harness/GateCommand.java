package dev.raftbench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code harness gate}: compares a candidate trial with a baseline, figure by figure, each under
 * its rule, prints a table and exits 1 on any regression, so CI can fail on one.
 */
@Command(name = "gate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare a candidate trial with a baseline trial.json under rules; exit 1 on any regression.",
        "Rules, one a line: JSON-POINTER KIND VALUE, with KIND one of",
        "  max-increase D  candidate <= baseline + D (errors, lost writes: 0)",
        "  max-ratio R     candidate <= R x baseline (latencies)",
        "  min-ratio R     candidate >= R x baseline (throughput)",
        "  equal 0         candidate == baseline (deterministic figures)",
        "A ratio rule may end with a floor: 'max-ratio 3 500' allows max(3 x baseline, 500).",
        "A figure the baseline lacks (or holds as null) is reported n/a, not judged.",
        "A * in the pointer stands for every key found there in the baseline (e.g. /summary/ops/*/p99_us)."})
final class GateCommand implements Callable<Integer> {
  /** Wide on purpose: a shared 2-core machine moves throughput and tails a lot between runs. */
  static final List<String> DEFAULT_RULES = List.of(
      "/summary/errors max-increase 0",
      "/verify/lost max-increase 0",
      "/summary/throughput_ops_s min-ratio 0.5",
      "/summary/ops/*/p99_us max-ratio 3");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--baseline", required = true, description = "the baseline's trial.json (or its bundle directory)")
  Path baseline;

  @Option(names = "--candidate", required = true, description = "the candidate's bundle directory (or its trial.json)")
  Path candidate;

  @Option(names = "--rules", description = "a rules file (default: errors and lost writes may not grow, throughput >= 0.5x, each p99 <= 3x)")
  Path rules;

  /** @param floor ratio rules: the bound is never tighter than this (NaN = none) */
  record Rule(String pointer, String kind, double value, double floor) {}

  /** pass is null when the figure was not judged (absent from the baseline). */
  record Check(String figure, double baseline, double candidate, Rule rule, Boolean pass) {}

  @Override
  public Integer call() throws IOException {
    JsonNode base = read(baseline, "--baseline");
    JsonNode cand = read(candidate, "--candidate");
    List<Rule> parsed = parseRules(rules == null ? DEFAULT_RULES : readRules(rules));
    List<Check> checks = new ArrayList<>();
    for (Rule r : parsed) {
      List<String> figures = expand(r.pointer(), base);
      if (figures.isEmpty()) {
        throw bad("rule " + r.pointer() + " names nothing in the baseline (a * needs an object of fields there)");
      }
      for (String pointer : figures) {
        JsonNode b = base.at(pointer);
        JsonNode c = cand.at(pointer);
        double cv = c.isNumber() ? c.asDouble() : Double.NaN;
        if (!b.isNumber()) { // absent, or null (no successful operation of that type): nothing to judge against
          checks.add(new Check(pointer, Double.NaN, cv, r, null));
          continue;
        }
        double bv = b.asDouble();
        checks.add(new Check(pointer, bv, cv, r, !Double.isNaN(cv) && passes(r, bv, cv)));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%-34s %14s %14s %9s  %-20s %s%n", "figure", "baseline", "candidate", "change", "rule", "verdict");
    int failed = 0;
    for (Check c : checks) {
      String change = c.baseline() == 0 || Double.isNaN(c.baseline()) || Double.isNaN(c.candidate()) ? "-"
          : String.format(Locale.ROOT, "%+.1f%%", 100 * (c.candidate() - c.baseline()) / c.baseline());
      String rule = c.rule().kind() + " " + num(c.rule().value()) + (Double.isNaN(c.rule().floor()) ? "" : " >= " + num(c.rule().floor()));
      String verdict = c.pass() == null ? "n/a" : c.pass() ? "ok" : "REGRESSION";
      out.printf(Locale.ROOT, "%-34s %14s %14s %9s  %-20s %s%n", c.figure(), Double.isNaN(c.baseline()) ? "-" : num(c.baseline()),
          Double.isNaN(c.candidate()) ? "missing" : num(c.candidate()), change, rule, verdict);
      failed += Boolean.FALSE.equals(c.pass()) ? 1 : 0;
    }
    out.println(failed == 0 ? "gate: passed (" + checks.size() + " figures)" : "gate: FAILED, " + failed + " of " + checks.size() + " figures regressed");
    out.flush();
    return failed == 0 ? 0 : Harness.FAILED;
  }

  static boolean passes(Rule r, double base, double cand) {
    boolean floor = !Double.isNaN(r.floor());
    return switch (r.kind()) {
      case "max-increase" -> cand <= base + r.value();
      case "max-ratio" -> cand <= (floor ? Math.max(base * r.value(), r.floor()) : base * r.value());
      case "min-ratio" -> cand >= (floor ? Math.min(base * r.value(), r.floor()) : base * r.value());
      case "equal" -> cand == base;
      default -> throw new IllegalStateException(r.kind());
    };
  }

  /** A pointer with * stands for every field name found at that place in the baseline. */
  static List<String> expand(String pointer, JsonNode base) {
    int star = pointer.indexOf("/*");
    if (star < 0) {
      return List.of(pointer);
    }
    String head = pointer.substring(0, star);
    String tail = pointer.substring(star + 2);
    List<String> out = new ArrayList<>();
    for (Iterator<String> names = base.at(head).fieldNames(); names.hasNext(); ) {
      out.addAll(expand(head + "/" + names.next() + tail, base));
    }
    return out;
  }

  private List<String> readRules(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw bad("--rules " + file + " is not a readable file");
    }
    return Files.readAllLines(file);
  }

  private List<Rule> parseRules(List<String> lines) {
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).replaceFirst("#.*", "").trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] p = line.split("\\s+");
      String where = rules == null ? "default rule" : rules + " line " + (i + 1);
      boolean ratio = p.length > 1 && p[1].endsWith("-ratio");
      if (p.length < 3 || p.length > (ratio ? 4 : 3) || !p[0].startsWith("/")
          || !List.of("max-increase", "max-ratio", "min-ratio", "equal").contains(p[1])) {
        throw bad(where + ": expected 'JSON-POINTER max-increase|max-ratio|min-ratio|equal VALUE [FLOOR]', found '" + line + "'");
      }
      double value = number(p[2], where);
      double floor = p.length == 4 ? number(p[3], where) : Double.NaN;
      out.add(new Rule(p[0], p[1], value, floor));
    }
    if (out.isEmpty()) {
      throw bad("no rules in " + rules);
    }
    return out;
  }

  private double number(String s, String where) {
    try {
      double d = Double.parseDouble(s);
      if (!Double.isFinite(d) || d < 0) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw bad(where + ": '" + s + "' is not a finite, non-negative number");
    }
  }

  private JsonNode read(Path p, String option) throws IOException {
    Path file = Files.isDirectory(p) ? p.resolve("trial.json") : p;
    if (!Files.isRegularFile(file)) {
      throw bad(option + " " + p + " has no trial.json");
    }
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw bad(option + " " + file + " is not JSON: " + e.getMessage());
    }
    if (n == null || !n.path("schema").asText().startsWith("raftbench.trial/")) {
      throw bad(option + " " + file + " is not a RaftBench trial.json");
    }
    return n;
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.2f", v);
  }

  private CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
