package dev.raftbench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One self-contained {@code report.html} for a trial, repeated trial, sweep or comparison bundle:
 * every table from the bundle's JSON and every chart embedded as a data URI, so the file opens
 * anywhere without the network or the bundle beside it.
 */
final class Report {
  private Report() {}

  /** Writes {@code dir/report.html} and returns its path. */
  static Path write(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Html h = new Html();
    Path charts = dir.resolve("charts");
    if (Files.isRegularFile(dir.resolve("comparison.json"))) {
      comparison(json.readTree(dir.resolve("comparison.json").toFile()), charts, h);
    } else if (Files.isRegularFile(dir.resolve("trial.json"))) {
      trial(json.readTree(dir.resolve("trial.json").toFile()), charts, h);
    } else if (Files.isRegularFile(dir.resolve("repeats.json"))) {
      repeats(dir, json.readTree(dir.resolve("repeats.json").toFile()), json, h);
      h.charts(charts);
    } else if (Files.isRegularFile(dir.resolve("sweep.json"))) {
      sweep(dir, json.readTree(dir.resolve("sweep.json").toFile()), h);
      h.charts(charts);
    } else {
      throw new IllegalArgumentException("not a results bundle: " + dir + " (no trial.json, repeats.json, sweep.json or comparison.json)");
    }
    Path out = dir.resolve("report.html");
    Files.writeString(out, h.finish(), StandardCharsets.UTF_8);
    return out;
  }

  private static void trial(JsonNode t, Path charts, Html h) throws IOException {
    JsonNode s = t.path("spec");
    h.title(String.format("%s on %s/%s", s.path("workload").asText(), s.path("engine").asText(), s.path("transport").asText()));
    h.p("Trial started " + t.path("started_at").asText() + "; " + t.at("/timing/measured_s").asText() + " s measured after "
        + t.at("/timing/warmup_s").asText() + " s of warm-up; cluster start " + t.at("/timing/cluster_start_s").asText() + " s.");
    h.h2("Summary");
    h.p(String.format("%,.1f operations per second, %d errors, %d client retries.", t.at("/summary/throughput_ops_s").asDouble(),
        t.at("/summary/errors").asLong(), t.at("/summary/client_retries").asLong()));
    opsTable(t.at("/summary/ops"), h);
    if (t.at("/summary/service").isObject()) {
      h.h2("Service time (from the actual send; open loop)");
      opsTable(t.at("/summary/service"), h);
    }
    h.charts(charts);
    h.h2("Noise floor");
    h.kv(t.at("/summary/noise_floor"));
    h.h2("Verify");
    h.kv(t.path("verify"));
    if (t.path("events").size() > 0) {
      h.h2("Faults and availability");
      List<List<String>> rows = new ArrayList<>();
      t.path("events").forEach(e -> rows.add(List.of(e.path("at_s").asText(), e.path("action").asText(), join(e.path("nodes")),
          e.path("down_s").asText(), e.path("restart_s").asText(), e.path("error").isNull() ? "" : e.path("error").asText())));
      h.table(List.of("at s", "action", "nodes", "down s", "restart s", "error"), rows);
      h.kv(t.path("availability"));
    }
    if (t.at("/linearizability/checked").asBoolean(false)) {
      h.h2("Linearizability");
      h.kv(t.path("linearizability"));
    }
    h.h2("Not supported by this engine");
    h.p(s.path("engine_not_supported").isArray() && s.path("engine_not_supported").size() > 0 ? join(s.path("engine_not_supported"))
        : "(nothing: the engine declares every capability)");
    h.h2("Configuration");
    h.kv(s);
    h.h2("Environment");
    h.kv(t.path("environment"));
    h.h2("Load");
    h.kv(t.path("load"));
  }

  private static void opsTable(JsonNode ops, Html h) {
    List<String> header = List.of("operation", "count", "ops/s", "errors", "mean µs", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs");
    List<List<String>> rows = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = ops.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode o = e.getValue();
      rows.add(List.of(e.getKey(), o.path("count").asText(), o.path("ops_s").asText(), o.path("errors").asText(), o.path("mean_us").asText(),
          o.path("p50_us").asText(), o.path("p90_us").asText(), o.path("p99_us").asText(), o.path("p999_us").asText(), o.path("max_us").asText()));
    }
    h.table(header, rows);
  }

  private static void repeats(Path dir, JsonNode r, ObjectMapper json, Html h) throws IOException {
    JsonNode first = json.readTree(dir.resolve(r.at("/each/0/bundle").asText()).resolve("trial.json").toFile());
    JsonNode s = first.path("spec");
    h.title(String.format("%s on %s/%s, %d repeats", s.path("workload").asText(), s.path("engine").asText(), s.path("transport").asText(),
        r.path("repeats").asInt()));
    h.h2("Throughput over the repeats");
    h.kv(r.path("throughput_ops_s"));
    List<List<String>> rows = new ArrayList<>();
    r.path("each").forEach(e -> rows.add(List.of(e.path("bundle").asText(), e.path("throughput_ops_s").asText(), e.path("errors").asText())));
    h.table(List.of("repeat", "ops/s", "errors"), rows);
    h.h2("Configuration");
    h.kv(s);
  }

  private static void sweep(Path dir, JsonNode sw, Html h) throws IOException {
    h.title(String.format("Sweep of %s on %s/%s", sw.path("workload").asText(), sw.path("engine").asText(), sw.path("transport").asText()));
    h.kv(sw);
    List<String> lines = Files.readAllLines(dir.resolve("curve.csv"), StandardCharsets.UTF_8);
    List<List<String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      rows.add(List.of(line.split(",", -1)));
    }
    h.h2("Curve");
    h.table(List.of(lines.get(0).split(",")), rows);
  }

  private static void comparison(JsonNode c, Path charts, Html h) throws IOException {
    h.title("Comparison of " + c.path("bundles").size() + " bundles");
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode b : c.path("bundles")) {
      JsonNode l = b.path("latency_us");
      rows.add(List.of(b.path("label").asText(), b.path("kind").asText(), b.path("throughput_ops_s").asText(),
          b.path("ci95_low").isNull() ? "" : b.path("ci95_low").asText() + " .. " + b.path("ci95_high").asText(), b.path("errors").asText(),
          b.path("verify_lost").isNull() ? "-" : b.path("verify_lost").asText(), l.path("p50").asText(""), l.path("p99").asText(""),
          l.path("p999").asText(""), l.path("max").asText(""),
          b.path("availability_max_gap_ms").isNumber() ? b.path("availability_max_gap_ms").asText() : "-"));
    }
    h.table(List.of("bundle", "kind", "ops/s", "95% CI", "errors", "lost", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "max gap ms"), rows);
    h.p("Latencies are of all operation types together, merged from each bundle's interval log (all repeats of a repeated bundle)."
        + " Max gap: with fault events, the longest time any shard was asked and answered nothing (- : no events).");
    h.h2("Not supported by each engine");
    List<List<String>> unsupported = new ArrayList<>();
    for (JsonNode b : c.path("bundles")) {
      JsonNode n = b.at("/spec/engine_not_supported");
      unsupported.add(List.of(b.path("label").asText(), b.at("/spec/engine").asText(),
          n.isMissingNode() ? "(not recorded by this bundle)" : n.size() == 0 ? "(nothing)" : join(n)));
    }
    h.table(List.of("bundle", "engine", "not supported"), unsupported);
    h.charts(charts);

    // the settings: those that differ side by side, then those all bundles share
    List<String> labels = new ArrayList<>();
    List<Map<String, String>> specs = new ArrayList<>();
    for (JsonNode b : c.path("bundles")) {
      labels.add(b.path("label").asText());
      Map<String, String> flat = new TreeMap<>();
      Html.flatten("", b.path("spec"), flat);
      flat.put("bundle directory", b.path("bundle").asText());
      specs.add(flat);
    }
    Set<String> keys = new TreeSet<>();
    specs.forEach(m -> keys.addAll(m.keySet()));
    List<List<String>> differ = new ArrayList<>();
    List<List<String>> same = new ArrayList<>();
    for (String k : keys) {
      List<String> values = specs.stream().map(m -> m.getOrDefault(k, "")).toList();
      if (values.stream().distinct().count() > 1) {
        List<String> row = new ArrayList<>(List.of(k));
        row.addAll(values);
        differ.add(row);
      } else {
        same.add(List.of(k, values.get(0)));
      }
    }
    h.h2("Settings that differ");
    List<String> header = new ArrayList<>(List.of("setting"));
    header.addAll(labels);
    h.table(header, differ);
    h.h2("Settings they share");
    h.table(List.of("setting", "value"), same);
  }

  private static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(n -> parts.add(n.asText()));
    return String.join(", ", parts);
  }

  /** A small HTML writer: everything escaped, nothing fetched. */
  private static final class Html {
    private final StringBuilder body = new StringBuilder();
    private String title = "RaftBench report";

    void title(String t) {
      title = t;
      body.append("<h1>").append(esc(t)).append("</h1>\n");
    }

    void h2(String t) {
      body.append("<h2>").append(esc(t)).append("</h2>\n");
    }

    void h3(String t) {
      body.append("<h3>").append(esc(t)).append("</h3>\n");
    }

    void p(String t) {
      body.append("<p>").append(esc(t)).append("</p>\n");
    }

    void table(List<String> header, List<List<String>> rows) {
      body.append("<table><tr>");
      header.forEach(c -> body.append("<th>").append(esc(c)).append("</th>"));
      body.append("</tr>\n");
      for (List<String> r : rows) {
        body.append("<tr>");
        r.forEach(c -> body.append("<td>").append(esc(c)).append("</td>"));
        body.append("</tr>\n");
      }
      body.append("</table>\n");
    }

    /** An object as a two-column table, nested objects flattened to dotted keys. */
    void kv(JsonNode node) {
      Map<String, String> flat = new LinkedHashMap<>();
      flatten("", node, flat);
      List<List<String>> rows = new ArrayList<>();
      flat.forEach((k, v) -> rows.add(List.of(k, v)));
      table(List.of("setting", "value"), rows);
    }

    static void flatten(String prefix, JsonNode node, Map<String, String> into) {
      if (node.isObject() && node.size() > 0) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), into);
        }
      } else if (!prefix.isEmpty()) {
        into.put(prefix, node.isValueNode() ? node.asText() : node.toString());
      }
    }

    /** Every PNG in the directory, embedded. */
    void charts(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        return;
      }
      List<Path> pngs;
      try (Stream<Path> s = Files.list(dir)) {
        pngs = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
      }
      if (pngs.isEmpty()) {
        return;
      }
      h2("Charts");
      for (Path png : pngs) {
        body.append("<figure><img alt=\"").append(esc(png.getFileName().toString())).append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png))).append("\"><figcaption>")
            .append(esc(png.getFileName().toString())).append("</figcaption></figure>\n");
      }
    }

    String finish() {
      return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n<style>"
          + "body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}"
          + "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:90%}"
          + "th{background:#f0f0f0}img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}"
          + "</style></head><body>\n" + body + "<p><small>Written by RaftBench from the bundle's files.</small></p>\n</body></html>\n";
    }

    private static String esc(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
  }
}
