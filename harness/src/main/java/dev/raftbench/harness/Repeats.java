package dev.raftbench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run --repeat N}: each repeat's bundle stays as it is; repeats.json beside them gives the
 * per-repeat figures, their median, and a 95% confidence interval of throughput (Student's t over
 * the repeats). Read from the bundles' trial.json alone.
 */
final class Repeats {
  static final String SCHEMA = "raftbench.repeats/1";
  /** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; beyond, the normal's 1.96. */
  private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
      2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

  private Repeats() {}

  static void write(Path dir, List<Path> bundles, PrintWriter out) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    List<Map<String, Object>> each = new ArrayList<>();
    double[] throughput = new double[bundles.size()];
    Map<String, List<Double>> p99ByOp = new LinkedHashMap<>();
    for (int i = 0; i < bundles.size(); i++) {
      JsonNode t = json.readTree(bundles.get(i).resolve("trial.json").toFile());
      throughput[i] = t.at("/summary/throughput_ops_s").asDouble();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("bundle", dir.relativize(bundles.get(i)).toString());
      r.put("throughput_ops_s", throughput[i]);
      r.put("errors", t.at("/summary/errors").asLong());
      Map<String, Object> ops = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = t.at("/summary/ops").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        ops.put(e.getKey(), Map.of("p50_us", e.getValue().path("p50_us").asDouble(), "p99_us", e.getValue().path("p99_us").asDouble()));
        p99ByOp.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().path("p99_us").asDouble());
      }
      r.put("ops", ops);
      each.add(r);
    }
    Interval ci = confidenceInterval(throughput);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("repeats", bundles.size());
    root.put("each", each);
    Map<String, Object> tp = new LinkedHashMap<>();
    tp.put("median", BundleWriter.round(median(throughput), 1));
    tp.put("mean", BundleWriter.round(ci.mean(), 1));
    tp.put("stddev", BundleWriter.round(ci.stddev(), 1));
    tp.put("ci95_low", BundleWriter.round(ci.low(), 1));
    tp.put("ci95_high", BundleWriter.round(ci.high(), 1));
    root.put("throughput_ops_s", tp);
    Map<String, Object> p99 = new LinkedHashMap<>();
    p99ByOp.forEach((op, values) -> p99.put(op, BundleWriter.round(median(values.stream().mapToDouble(Double::doubleValue).toArray()), 1)));
    root.put("median_p99_us", p99);
    json.writeValue(dir.resolve("repeats.json").toFile(), root);

    out.printf(Locale.ROOT, "%d repeats: throughput median %.1f ops/s, mean %.1f, 95%% CI [%.1f, %.1f]%n", bundles.size(),
        median(throughput), ci.mean(), ci.low(), ci.high());
    out.println("repeats: " + dir.resolve("repeats.json").toAbsolutePath().normalize());
    out.flush();
  }

  record Interval(double mean, double stddev, double low, double high) {}

  /** Mean ± t(0.975, n-1) · s / √n; a single value has no interval (low = high = mean). */
  static Interval confidenceInterval(double[] xs) {
    int n = xs.length;
    double mean = Arrays.stream(xs).average().orElse(0);
    if (n < 2) {
      return new Interval(mean, 0, mean, mean);
    }
    double ss = 0;
    for (double x : xs) {
      ss += (x - mean) * (x - mean);
    }
    double s = Math.sqrt(ss / (n - 1));
    double t = n - 1 <= T95.length ? T95[n - 2] : 1.96;
    double half = t * s / Math.sqrt(n);
    return new Interval(mean, s, mean - half, mean + half);
  }

  static double median(double[] xs) {
    double[] sorted = xs.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
