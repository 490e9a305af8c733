package dev.raftbench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/** A sweep's curve, from its steps' bundles: curve.csv, sweep.json, charts/latency-vs-throughput.png. */
final class Sweep {
  static final String SCHEMA = "raftbench.sweep/1";

  private Sweep() {}

  /**
   * One step: its target, what it achieved, and latency over every operation type (corrected and
   * service time), read back from the step's trial.json and latency.hlog.
   */
  record Step(String bundle, double target, double achieved, long errors, Histogram latency, Histogram service) {
    static Step read(Path dir, double target) throws IOException {
      JsonNode t = new ObjectMapper().readTree(dir.resolve("trial.json").toFile());
      Histogram latency = OpMetrics.newHistogram();
      Histogram service = OpMetrics.newHistogram();
      HistogramLogReader reader = new HistogramLogReader(dir.resolve("latency.hlog").toFile());
      EncodableHistogram h;
      while ((h = reader.nextIntervalHistogram(0.0, Double.MAX_VALUE)) != null) {
        String tag = h.getTag() == null ? "" : h.getTag();
        (tag.endsWith(TrialRunner.SERVICE_TAG) ? service : latency).add((Histogram) h);
      }
      return new Step(dir.getFileName().toString(), target, t.at("/summary/throughput_ops_s").asDouble(), t.at("/summary/errors").asLong(),
          latency, service);
    }
  }

  static void write(Path dir, RunSpec base, Double maxRate, List<Step> steps) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("curve.csv"), StandardCharsets.UTF_8))) {
      w.println("step,target_ops_s,achieved_ops_s,errors,p50_us,p99_us,p999_us,max_us,service_p50_us,service_p99_us,bundle");
      for (int i = 0; i < steps.size(); i++) {
        Step s = steps.get(i);
        w.printf(Locale.ROOT, "%d,%.1f,%.1f,%d,%s,%s,%s,%s,%s,%s,%s%n", i + 1, s.target(), s.achieved(), s.errors(), us(s.latency(), 50),
            us(s.latency(), 99), us(s.latency(), 99.9), s.latency().getTotalCount() > 0 ? String.valueOf(s.latency().getMaxValue() / 1000.0) : "",
            us(s.service(), 50), us(s.service(), 99), s.bundle());
      }
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("workload", base.workload().name());
    root.put("engine", base.engine());
    root.put("transport", base.cluster().transport());
    root.put("max_rate_found_ops_s", maxRate);
    root.put("max_rate_bundle", maxRate == null ? null : "max-closed-loop");
    root.put("curve", "curve.csv");
    root.put("chart", "charts/latency-vs-throughput.png");
    root.put("steps", steps.stream().map(Step::bundle).toList());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("sweep.json").toFile(), root);
    Charts.latencyVsThroughput(base, steps, dir.resolve("charts"));
  }

  private static String us(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "" : String.valueOf(h.getValueAtPercentile(percentile) / 1000.0);
  }
}
