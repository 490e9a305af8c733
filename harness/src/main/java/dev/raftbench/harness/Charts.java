package dev.raftbench.harness;

import dev.raftbench.workloads.OperationType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Charts of a trial, made with XChart. */
final class Charts {
  private Charts() {}

  /**
   * The percentile spectrum (HdrHistogram's classic plot): latency against percentile on an axis
   * stretched towards the tail, x = 1 / (1 - percentile), one series per operation type.
   */
  static Path percentileSpectrum(TrialResult r, Path dir) throws IOException {
    Files.createDirectories(dir);
    RunSpec s = r.spec();
    XYChart chart = new XYChartBuilder().width(1000).height(600)
        .title(String.format("%s on %s/%s (%d nodes, %d shards): latency by percentile", s.workload().name(), s.engine(),
            s.cluster().transport(), s.cluster().nodes(), s.cluster().shards()))
        .xAxisTitle("percentile, in nines: log10(1 / (1 - p)); 1 = 90%, 2 = 99%, 3 = 99.9%, 4 = 99.99%")
        .yAxisTitle("latency (ms)").build();
    // (XChart's tick calculator loops forever on long custom labels, so the axis stays numeric)
    chart.getStyler().setXAxisDecimalPattern("0.#");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
    boolean anySeries = false;
    for (Map.Entry<OperationType, TrialResult.OpTotals> e : r.ops().entrySet()) {
      Histogram h = e.getValue().latency();
      if (h.getTotalCount() == 0) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      spectrum(h, xs, ys, 0);
      XYSeries series = chart.addSeries(e.getKey().ycsbName() + String.format(" (n=%,d, p99=%.2f ms)", h.getTotalCount(),
          h.getValueAtPercentile(99) / 1e6), xs, ys);
      series.setMarker(SeriesMarkers.NONE);
      anySeries = true;
    }
    if (!anySeries) {
      chart.addSeries("no successful operation", new double[] {0, 1}, new double[] {0, 0}).setMarker(SeriesMarkers.NONE);
    }
    Path png = dir.resolve("latency.png");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return png;
  }

  /**
   * Throughput and p99 per second of the measured phase (all operation types together; p99 is the
   * highest of the types' p99s in that second), on two axes, with each fault event (--event) as a
   * vertical line and its name.
   */
  static Path timeSeries(TrialResult r, Path dir) throws IOException {
    Files.createDirectories(dir);
    java.util.TreeMap<Double, double[]> bySecond = new java.util.TreeMap<>(); // start -> {ops, length, p99 ms}
    for (TrialResult.Interval i : r.intervals()) {
      double[] v = bySecond.computeIfAbsent(i.startSeconds(), k -> new double[3]);
      v[0] += i.operations();
      v[1] = Math.max(v[1], i.lengthSeconds());
      if (i.successes() > 0) {
        v[2] = Math.max(v[2], i.p99Nanos() / 1e6);
      }
    }
    XYChart chart = new XYChartBuilder().width(1000).height(500)
        .title("Throughput (left) and p99 latency (right) per second" + (r.availability() == null ? "" : "; events marked"))
        .xAxisTitle("seconds into the measured phase").yAxisTitle("operations per second").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setYAxisDecimalPattern("#,##0.#");
    chart.setYAxisGroupTitle(1, "p99 (ms)");
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    List<Double> xs = new ArrayList<>(bySecond.keySet());
    if (xs.isEmpty()) {
      xs = List.of(0.0);
      bySecond.put(0.0, new double[] {0, 1, 0});
    }
    List<Double> ops = bySecond.values().stream().map(v -> v[0] / Math.max(v[1], 1e-9)).toList();
    List<Double> p99 = bySecond.values().stream().map(v -> v[2]).toList();
    chart.addSeries("ops/s", xs, ops).setMarker(SeriesMarkers.NONE);
    XYSeries tail = chart.addSeries("p99 ms", xs, p99);
    tail.setMarker(SeriesMarkers.NONE);
    tail.setYAxisGroup(1);
    if (r.availability() != null) {
      double top = ops.stream().mapToDouble(Double::doubleValue).max().orElse(1);
      for (Faults.Happened h : r.availability().events()) {
        chart.addAnnotation(new org.knowm.xchart.AnnotationLine(h.atSeconds(), true, false));
        chart.addAnnotation(new org.knowm.xchart.AnnotationText(h.action() + " " + String.join(",", h.nodes()), h.atSeconds(), top, false));
      }
    }
    Path png = dir.resolve("timeseries.png");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return png;
  }

  /**
   * The points of a percentile spectrum in milliseconds: x = log10(1 / (1 - p)), the maximum one
   * step beyond the last percentile; values below {@code floorMs} raised to it (for log axes).
   */
  static void spectrum(Histogram h, List<Double> xs, List<Double> ys, double floorMs) {
    for (HistogramIterationValue v : h.percentiles(5)) {
      double q = v.getPercentileLevelIteratedTo() / 100.0;
      if (q >= 1.0) {
        break;
      }
      xs.add(Math.log10(1.0 / (1.0 - q)));
      ys.add(Math.max(floorMs, v.getValueIteratedTo() / 1e6));
    }
    xs.add((xs.isEmpty() ? 0 : xs.get(xs.size() - 1)) + 0.3);
    ys.add(Math.max(floorMs, h.getMaxValue() / 1e6));
  }

  /**
   * A sweep's latency-throughput curve: p50, p99 and p99.9 (from each operation's intended
   * start) against the throughput each step achieved; latency on a log axis, where the knee shows.
   */
  static Path latencyVsThroughput(RunSpec base, List<Sweep.Step> steps, Path dir) throws IOException {
    Files.createDirectories(dir);
    XYChart chart = new XYChartBuilder().width(1000).height(600)
        .title(String.format("%s on %s/%s (%d nodes, %d shards): latency against throughput, open loop", base.workload().name(),
            base.engine(), base.cluster().transport(), base.cluster().nodes(), base.cluster().shards()))
        .xAxisTitle("achieved throughput (ops/s)").yAxisTitle("latency (ms), log scale").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setXAxisDecimalPattern("#,##0");
    List<Double> xs = new ArrayList<>();
    for (Sweep.Step s : steps) {
      xs.add(s.achieved());
    }
    double[][] levels = {{50, 0}, {99, 0}, {99.9, 0}};
    for (double[] level : levels) {
      List<Double> ys = new ArrayList<>();
      for (Sweep.Step s : steps) {
        // a log axis has no zero: an empty step shows at 1 µs
        ys.add(s.latency().getTotalCount() == 0 ? 0.001 : Math.max(0.001, s.latency().getValueAtPercentile(level[0]) / 1e6));
      }
      chart.addSeries(String.format("p%s", level[0] == 50 ? "50" : level[0] == 99 ? "99" : "99.9"), xs, ys);
    }
    Path png = dir.resolve("latency-vs-throughput.png");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return png;
  }

  /** The hashing study's charts: balance bars, movement bars, balance as nodes grow. */
  static void hashing(HashingStudy.Result r, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> schemes = r.rows().stream().map(HashingStudy.Row::scheme).toList();
    HashingStudy.Params p = r.params();

    CategoryChart balance = new CategoryChartBuilder().width(1000).height(600)
        .title(String.format("Peak-to-mean load over %d nodes (%,d keys, %d shards, %s operations)", p.nodes(), p.keys(), p.shards(), p.distribution()))
        .xAxisTitle("hashing scheme").yAxisTitle("peak / mean (1 = perfect)").build();
    balance.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    balance.getStyler().setYAxisDecimalPattern("0.00");
    balance.addSeries("by keys", schemes, r.rows().stream().map(HashingStudy.Row::keysPeakToMean).toList());
    balance.addSeries("by operations", schemes, r.rows().stream().map(HashingStudy.Row::opsPeakToMean).toList());
    balance.addSeries("by shards", schemes, r.rows().stream().map(HashingStudy.Row::shardsPeakToMean).toList());
    BitmapEncoder.saveBitmap(balance, dir.resolve("balance.png").toString(), BitmapEncoder.BitmapFormat.PNG);

    CategoryChart movement = new CategoryChartBuilder().width(1000).height(600)
        .title(String.format("Keys moved when a node joins (%d -> %d) or leaves (%d -> %d)", p.nodes(), p.nodes() + 1, p.nodes(), p.nodes() - 1))
        .xAxisTitle("hashing scheme").yAxisTitle("fraction of keys moved").build();
    movement.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    movement.getStyler().setYAxisDecimalPattern("0.00");
    movement.addSeries("node joins", schemes, r.rows().stream().map(HashingStudy.Row::keysMovedOnAdd).toList());
    movement.addSeries("ideal 1/(n+1)", schemes, schemes.stream().map(x -> r.idealMovedOnAdd()).toList());
    movement.addSeries("node leaves", schemes, r.rows().stream().map(HashingStudy.Row::keysMovedOnRemove).toList());
    movement.addSeries("ideal 1/n", schemes, schemes.stream().map(x -> r.idealMovedOnRemove()).toList());
    BitmapEncoder.saveBitmap(movement, dir.resolve("movement.png").toString(), BitmapEncoder.BitmapFormat.PNG);

    XYChart growth = new XYChartBuilder().width(1000).height(600)
        .title(String.format("Peak-to-mean keys per node as nodes grow (%d shards)", p.shards()))
        .xAxisTitle("nodes").yAxisTitle("peak / mean keys").build();
    growth.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    growth.getStyler().setYAxisDecimalPattern("0.00");
    double[] xs = java.util.Arrays.stream(r.nodeGrowth()).asDoubleStream().toArray();
    for (HashingStudy.Row row : r.rows()) {
      growth.addSeries(row.scheme(), xs, row.keysPeakToMeanByNodes());
    }
    BitmapEncoder.saveBitmap(growth, dir.resolve("balance-vs-nodes.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
