package dev.raftbench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Several results bundles side by side, read from their files alone (trial.json, latency.hlog,
 * repeats.json, sweep.json, curve.csv): comparison.json and comparison.csv (one row per bundle),
 * charts in PNG and SVG, and report.html.
 */
final class Comparison {
  static final String SCHEMA = "raftbench.comparison/1";
  /** Settings that tell bundles apart; a label names those that differ between the inputs. */
  private static final List<String> LABEL_KEYS = List.of("workload", "engine", "transport", "hashing", "placement", "nodes", "shards",
      "replication", "coordinator", "log", "fsync", "reads", "cluster", "client", "topology/rtt_ms", "topology/links_rtt_ms", "target_ops_s", "threads", "inflight_per_thread",
      "engine_options");

  private Comparison() {}

  /** One input: a trial, a repeated trial (its repeats) or a sweep (its steps). */
  record Input(Path dir, String kind, JsonNode spec, List<Path> trials, JsonNode repeats, List<CurvePoint> curve, String label) {
    Input withLabel(String l) {
      return new Input(dir, kind, spec, trials, repeats, curve, l);
    }
  }

  /** One step of a sweep's curve.csv. */
  record CurvePoint(double target, double achieved, double p50Us, double p99Us) {}

  /** Per-second figures of a trial, all operation types together (from its interval log). */
  record Second(double t, double opsPerSecond, double p99Ms) {}

  /** A fault event of a trial: seconds into the measured phase, and what happened. */
  record Marker(double atSeconds, String label) {}

  /**
   * What one input's row says.
   *
   * @param maxGapMs the longest time any shard was asked and answered nothing, over the
   *                 input's trials, where a trial had fault events; null where none had
   * @param events   the fault events of the first trial (the one {@code seconds} comes from)
   */
  /**
   * @param placements the first trial's add-node / remove-node / transfer-leaders events: each its
   *                   action, time, and the coordinator's {@code placement} object
   */
  record Row(Input input, double throughput, Double ciLow, Double ciHigh, long errors, Long lost, Histogram latency,
      List<Second> seconds, Double maxGapMs, List<Marker> events, List<JsonNode> placements) {
    /** Seconds the coordinator spent on joins and leaves, summed; null without such events. */
    Double rebalanceSeconds() {
      return placements.isEmpty() ? null : placements.stream().mapToDouble(p -> p.path("seconds").asDouble()).sum();
    }

    Long replicasMoved() {
      return placements.isEmpty() ? null : placements.stream().mapToLong(p -> p.path("replicas_moved").asLong()).sum();
    }

    /** Null without events, or when one of them could not count bytes. */
    Long bytesMoved() {
      return placements.isEmpty() || placements.stream().anyMatch(p -> !p.path("bytes_moved").isNumber()) ? null
          : placements.stream().mapToLong(p -> p.path("bytes_moved").asLong()).sum();
    }
  }

  static Input load(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    if (Files.isRegularFile(dir.resolve("trial.json"))) {
      JsonNode t = json.readTree(dir.resolve("trial.json").toFile());
      return new Input(dir, "trial", t.path("spec"), List.of(dir), null, List.of(), null);
    }
    if (Files.isRegularFile(dir.resolve("repeats.json"))) {
      JsonNode r = json.readTree(dir.resolve("repeats.json").toFile());
      List<Path> trials = new ArrayList<>();
      r.path("each").forEach(e -> trials.add(dir.resolve(e.path("bundle").asText())));
      JsonNode spec = json.readTree(trials.get(0).resolve("trial.json").toFile()).path("spec");
      return new Input(dir, "repeats", spec, trials, r, List.of(), null);
    }
    if (Files.isRegularFile(dir.resolve("sweep.json"))) {
      JsonNode s = json.readTree(dir.resolve("sweep.json").toFile());
      List<Path> steps = new ArrayList<>();
      s.path("steps").forEach(e -> steps.add(dir.resolve(e.asText())));
      JsonNode spec = steps.isEmpty() ? json.createObjectNode() : json.readTree(steps.get(0).resolve("trial.json").toFile()).path("spec");
      return new Input(dir, "sweep", spec, steps, null, curve(dir.resolve("curve.csv")), null);
    }
    throw new IllegalArgumentException("not a results bundle: " + dir + " (no trial.json, repeats.json or sweep.json)");
  }

  private static List<CurvePoint> curve(Path csv) throws IOException {
    List<CurvePoint> points = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      if (!f[5].isEmpty()) {
        points.add(new CurvePoint(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
      }
    }
    return points;
  }

  /** Labels from the settings that differ between the inputs (the directory name if none do). */
  static List<Input> labelled(List<Input> inputs) {
    List<String> varying = new ArrayList<>();
    for (String key : LABEL_KEYS) {
      if (inputs.stream().map(i -> i.spec().at("/" + key).toString()).distinct().count() > 1) {
        varying.add(key);
      }
    }
    if (varying.isEmpty()) {
      varying.addAll(List.of("engine", "transport", "workload"));
    }
    List<Input> out = new ArrayList<>();
    for (Input in : inputs) {
      List<String> parts = new ArrayList<>();
      if (varying.contains("engine") || varying.contains("transport")) {
        parts.add(in.spec().path("engine").asText() + "/" + in.spec().path("transport").asText());
      }
      for (String key : varying) {
        if (!key.equals("engine") && !key.equals("transport")) {
          JsonNode v = in.spec().at("/" + key);
          if (v.isMissingNode()) {
            continue; // e.g. a topology without links: nothing to tell
          }
          String name = key.substring(key.lastIndexOf('/') + 1); // topology/rtt_ms: rtt_ms
          parts.add(key.equals("workload") ? v.asText() : key.equals("engine_options") ? options(v) : name + "=" + compact(v));
        }
      }
      out.add(in.withLabel(String.join(" ", parts)));
    }
    long distinct = out.stream().map(Input::label).distinct().count();
    if (distinct < out.size()) {
      // the bundle's directory, with its parent's name when that alone would not tell them apart
      boolean byName = inputs.stream().map(i -> i.dir().getFileName()).distinct().count() == inputs.size();
      out.replaceAll(i -> i.withLabel(i.label() + " (" + (byName || i.dir().getParent() == null ? i.dir().getFileName()
          : i.dir().getParent().getFileName() + "/" + i.dir().getFileName()) + ")"));
    }
    return out;
  }

  /** A value for a label: text as it is, an object as k:v,k:v (e.g. links n1-n3:40,n2-n3:40). */
  private static String compact(JsonNode v) {
    if (v.isObject()) {
      List<String> kv = new ArrayList<>();
      v.fields().forEachRemaining(e -> kv.add(e.getKey() + ":" + e.getValue().asText()));
      return String.join(",", kv);
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  private static String options(JsonNode options) {
    List<String> kv = new ArrayList<>();
    options.fields().forEachRemaining(e -> kv.add("-E " + e.getKey() + "=" + e.getValue().asText()));
    return kv.isEmpty() ? "(default options)" : String.join(" ", kv);
  }

  static Row row(Input in) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Histogram all = new Histogram(3);
    List<Second> seconds = new ArrayList<>();
    long errors = 0;
    Long lost = null;
    Double maxGap = null;
    List<Marker> events = null;
    List<JsonNode> placements = new ArrayList<>();
    double throughput;
    Double low = null;
    Double high = null;
    if (in.kind().equals("sweep")) {
      throughput = in.curve().stream().mapToDouble(CurvePoint::achieved).max().orElse(0);
      for (Path step : in.trials()) {
        errors += json.readTree(step.resolve("trial.json").toFile()).at("/summary/errors").asLong();
      }
      return new Row(in, throughput, null, null, errors, null, all, List.of(), null, List.of(), List.of());
    }
    for (Path trial : in.trials()) {
      JsonNode t = json.readTree(trial.resolve("trial.json").toFile());
      errors += t.at("/summary/errors").asLong();
      if (t.at("/verify/performed").asBoolean(false)) {
        lost = (lost == null ? 0 : lost) + t.at("/verify/lost").asLong();
      }
      JsonNode gap = t.at("/availability/max_gap_ms");
      if (gap.isNumber() && t.path("events").size() > 0) {
        maxGap = Math.max(maxGap == null ? 0 : maxGap, gap.asDouble());
      }
      if (events == null) {
        events = new ArrayList<>();
        for (JsonNode e : t.path("events")) {
          List<String> nodes = new ArrayList<>();
          e.path("nodes").forEach(n -> nodes.add(n.asText()));
          events.add(new Marker(e.path("at_s").asDouble(), e.path("action").asText() + " " + String.join(",", nodes)));
          if (e.path("placement").isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode p = json.createObjectNode();
            p.put("action", e.path("action").asText());
            p.put("at_s", e.path("at_s").asDouble());
            p.setAll((com.fasterxml.jackson.databind.node.ObjectNode) e.path("placement"));
            placements.add(p);
          }
        }
      }
      List<Second> perSecond = readLog(trial.resolve("latency.hlog"), all);
      if (seconds.isEmpty()) {
        seconds = perSecond; // the first trial's time series (a repeat's first run)
      }
    }
    if (in.kind().equals("repeats")) {
      JsonNode tp = in.repeats().path("throughput_ops_s");
      throughput = tp.path("median").asDouble();
      low = tp.path("ci95_low").isNumber() ? tp.path("ci95_low").asDouble() : null;
      high = tp.path("ci95_high").isNumber() ? tp.path("ci95_high").asDouble() : null;
    } else {
      throughput = json.readTree(in.dir().resolve("trial.json").toFile()).at("/summary/throughput_ops_s").asDouble();
    }
    return new Row(in, throughput, low, high, errors, lost, all, seconds, maxGap, events == null ? List.of() : List.copyOf(events),
        List.copyOf(placements));
  }

  /**
   * Adds every interval's latency (not the open loop's service times) to {@code into}; returns
   * ops/s and p99 per interval, all operation types together.
   */
  private static List<Second> readLog(Path hlog, Histogram into) throws IOException {
    TreeMap<Double, Histogram> byStart = new TreeMap<>();
    TreeMap<Double, Double> lengths = new TreeMap<>();
    if (!Files.isRegularFile(hlog)) {
      return List.of();
    }
    try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile())) {
      EncodableHistogram e;
      while ((e = reader.nextIntervalHistogram()) != null) {
        if (!(e instanceof Histogram h) || (h.getTag() != null && h.getTag().endsWith(".service"))) {
          continue;
        }
        into.add(h);
        double start = Math.round(h.getStartTimeStamp() / 1000.0 * 10) / 10.0;
        byStart.computeIfAbsent(Math.floor(start), k -> new Histogram(3)).add(h);
        lengths.merge(Math.floor(start), (h.getEndTimeStamp() - h.getStartTimeStamp()) / 1000.0, Math::max);
      }
    }
    List<Second> out = new ArrayList<>();
    double t0 = byStart.isEmpty() ? 0 : byStart.firstKey();
    for (Map.Entry<Double, Histogram> s : byStart.entrySet()) {
      double len = Math.max(1e-3, lengths.get(s.getKey()));
      Histogram h = s.getValue();
      out.add(new Second(s.getKey() - t0, h.getTotalCount() / len, h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1e6));
    }
    return out;
  }

  /** Writes the comparison bundle and returns its rows. */
  static List<Row> write(List<Path> dirs, Path out, PrintWriter stdout) throws IOException {
    List<Input> inputs = new ArrayList<>();
    for (Path d : dirs) {
      inputs.add(load(d));
    }
    inputs = labelled(inputs);
    List<Row> rows = new ArrayList<>();
    for (Input in : inputs) {
      rows.add(row(in));
    }
    Files.createDirectories(out.resolve("charts"));
    writeCsv(rows, out.resolve("comparison.csv"));
    writeJson(rows, out);
    CompareCharts.write(rows, out.resolve("charts"));
    Report.write(out);
    stdout.println(table(rows));
    stdout.println("comparison: " + out.toAbsolutePath());
    stdout.flush();
    return rows;
  }

  private static void writeCsv(List<Row> rows, Path csv) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
      w.println("label,kind,workload,engine,transport,hashing,placement,nodes,shards,fsync,throughput_ops_s,ci95_low,ci95_high,errors,verify_lost,"
          + "p50_us,p99_us,p999_us,max_us,max_gap_ms,rebalance_s,replicas_moved,bytes_moved,bundle");
      for (Row r : rows) {
        JsonNode s = r.input().spec();
        Histogram h = r.latency();
        w.printf(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.1f,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s%n", csvField(r.input().label()), r.input().kind(),
            csvField(s.path("workload").asText()), s.path("engine").asText(), s.path("transport").asText(), s.path("hashing").asText(),
            s.path("placement").asText(), s.path("nodes").asText(), s.path("shards").asText(), s.path("fsync").asText(), r.throughput(), num(r.ciLow()), num(r.ciHigh()),
            r.errors(), r.lost() == null ? "" : r.lost(), us(h, 50), us(h, 99), us(h, 99.9), h.getTotalCount() == 0 ? "" : h.getMaxValue() / 1000.0,
            num(r.maxGapMs()), num(r.rebalanceSeconds()), r.replicasMoved() == null ? "" : r.replicasMoved(),
            r.bytesMoved() == null ? "" : r.bytesMoved(), csvField(r.input().dir().toAbsolutePath().toString()));
      }
    }
  }

  private static void writeJson(List<Row> rows, Path out) throws IOException {
    List<Map<String, Object>> each = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("label", r.input().label());
      m.put("kind", r.input().kind());
      m.put("bundle", r.input().dir().toAbsolutePath().toString());
      m.put("spec", r.input().spec());
      m.put("throughput_ops_s", BundleWriter.round(r.throughput(), 1));
      m.put("ci95_low", r.ciLow());
      m.put("ci95_high", r.ciHigh());
      m.put("errors", r.errors());
      m.put("verify_lost", r.lost());
      m.put("availability_max_gap_ms", r.maxGapMs());
      if (!r.placements().isEmpty()) {
        m.put("placements", r.placements());
        m.put("rebalance_s", r.rebalanceSeconds());
        m.put("replicas_moved", r.replicasMoved());
        m.put("bytes_moved", r.bytesMoved());
      }
      Histogram h = r.latency();
      if (h.getTotalCount() > 0) {
        m.put("latency_us", Map.of("p50", h.getValueAtPercentile(50) / 1000.0, "p99", h.getValueAtPercentile(99) / 1000.0,
            "p999", h.getValueAtPercentile(99.9) / 1000.0, "max", h.getMaxValue() / 1000.0, "count", h.getTotalCount()));
      }
      if (!r.input().curve().isEmpty()) {
        m.put("curve", r.input().curve());
      }
      each.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("bundles", each);
    root.put("csv", "comparison.csv");
    try (Stream<Path> charts = Files.list(out.resolve("charts"))) {
      root.put("charts", charts.map(p -> "charts/" + p.getFileName()).sorted().toList());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("comparison.json").toFile(), root);
  }

  static String table(List<Row> rows) {
    int width = Math.max(5, rows.stream().mapToInt(r -> r.input().label().length()).max().orElse(5));
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-" + width + "s %12s %21s %8s %6s %10s %10s %10s %10s%n", "bundle", "ops/s", "95% CI", "errors", "lost",
        "p50_us", "p99_us", "p99.9_us", "gap_ms"));
    for (Row r : rows) {
      Histogram h = r.latency();
      String ci = r.ciLow() == null ? "" : String.format(Locale.ROOT, "%,.0f..%,.0f", r.ciLow(), r.ciHigh());
      sb.append(String.format(Locale.ROOT, "%-" + width + "s %,12.1f %21s %8d %6s %10s %10s %10s %10s%n", r.input().label(), r.throughput(), ci,
          r.errors(), r.lost() == null ? "-" : r.lost(), us(h, 50), us(h, 99), us(h, 99.9), r.maxGapMs() == null ? "-" : num(r.maxGapMs())));
    }
    return sb.toString().stripTrailing();
  }

  private static String us(Histogram h, double p) {
    return h.getTotalCount() == 0 ? "" : String.format(Locale.ROOT, "%.1f", h.getValueAtPercentile(p) / 1000.0);
  }

  private static String num(Double d) {
    return d == null ? "" : String.format(Locale.ROOT, "%.1f", d);
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : Objects.toString(s, "");
  }
}
