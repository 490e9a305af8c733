package dev.raftbench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts of a comparison, each as PNG and SVG. */
final class CompareCharts {
  private CompareCharts() {}

  static void write(List<Comparison.Row> rows, Path dir) throws IOException {
    List<Comparison.Row> trials = rows.stream().filter(r -> r.latency().getTotalCount() > 0).toList();
    if (!trials.isEmpty()) {
      save(percentiles(trials), dir, "percentiles");
      save(timeSeries(trials, false), dir, "throughput-over-time");
      save(timeSeries(trials, true), dir, "p99-over-time");
    }
    save(throughput(rows), dir, "throughput");
    List<Comparison.Row> faulted = rows.stream().filter(r -> r.maxGapMs() != null).toList();
    if (!faulted.isEmpty()) {
      save(availability(faulted), dir, "availability");
    }
    List<Comparison.Row> sweeps = rows.stream().filter(r -> !r.input().curve().isEmpty()).toList();
    if (!sweeps.isEmpty()) {
      save(curves(sweeps), dir, "latency-vs-throughput");
    }
  }

  private static void save(Chart<?, ?> chart, Path dir, String name) throws IOException {
    BitmapEncoder.saveBitmap(chart, dir.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(name + ".svg").toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
  }

  /** Every bundle's latency by percentile (all operation types together), x in nines. */
  private static XYChart percentiles(List<Comparison.Row> rows) {
    XYChart chart = new XYChartBuilder().width(1000).height(600).title("Latency by percentile (all operations)")
        .xAxisTitle("percentile, in nines: log10(1 / (1 - p)); 1 = 90%, 2 = 99%, 3 = 99.9%").yAxisTitle("latency (ms)").build();
    style(chart);
    chart.getStyler().setYAxisLogarithmic(true);
    for (Comparison.Row r : rows) {
      Histogram h = r.latency();
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      Charts.spectrum(h, xs, ys, 1e-3);
      chart.addSeries(r.input().label(), xs, ys).setMarker(SeriesMarkers.NONE);
    }
    return chart;
  }

  /** Throughput per bundle; error bars are the 95% confidence interval where the bundle has repeats. */
  private static CategoryChart throughput(List<Comparison.Row> rows) {
    CategoryChart chart = new CategoryChartBuilder().width(1000).height(500).title("Throughput (median of repeats where repeated; bars: 95% CI)")
        .yAxisTitle("operations per second").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(labelRotation(rows));
    chart.getStyler().setYAxisDecimalPattern("#,##0");
    chart.getStyler().setErrorBarsColor(java.awt.Color.DARK_GRAY);
    List<String> labels = rows.stream().map(r -> r.input().label()).toList();
    List<Double> values = rows.stream().map(Comparison.Row::throughput).toList();
    boolean anyCi = rows.stream().anyMatch(r -> r.ciLow() != null);
    if (anyCi) {
      List<Double> err = rows.stream().map(r -> r.ciHigh() == null ? 0.0 : r.ciHigh() - r.throughput()).toList();
      chart.addSeries("throughput", labels, values, err);
    } else {
      chart.addSeries("throughput", labels, values);
    }
    return chart;
  }

  /** The longest time any shard was asked and answered nothing, per bundle with fault events. */
  private static CategoryChart availability(List<Comparison.Row> rows) {
    CategoryChart chart = new CategoryChartBuilder().width(1000).height(500)
        .title("Availability: longest time any shard was asked and answered nothing (bundles with fault events)")
        .yAxisTitle("milliseconds").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(labelRotation(rows));
    chart.getStyler().setYAxisDecimalPattern("#,##0");
    chart.addSeries("max gap", rows.stream().map(r -> r.input().label()).toList(), rows.stream().map(Comparison.Row::maxGapMs).toList());
    return chart;
  }

  /**
   * Ops/s or p99 per second of the measured phase, one line per bundle (a repeated bundle: its
   * first repeat), each fault event a vertical line named after its bundle and action.
   */
  private static XYChart timeSeries(List<Comparison.Row> rows, boolean p99) {
    XYChart chart = new XYChartBuilder().width(1000).height(500)
        .title(p99 ? "p99 latency per second (all operations)" : "Throughput per second")
        .xAxisTitle("seconds into the measured phase").yAxisTitle(p99 ? "p99 (ms, log scale)" : "operations per second").build();
    style(chart);
    chart.getStyler().setYAxisLogarithmic(p99);
    for (Comparison.Row r : rows) {
      if (r.seconds().isEmpty()) {
        continue;
      }
      List<Double> xs = r.seconds().stream().map(Comparison.Second::t).toList();
      List<Double> ys = r.seconds().stream().map(s -> p99 ? Math.max(1e-3, s.p99Ms()) : s.opsPerSecond()).toList();
      chart.addSeries(r.input().label(), xs, ys).setMarker(SeriesMarkers.NONE);
    }
    double top = p99 ? 1 : rows.stream().flatMap(r -> r.seconds().stream()).mapToDouble(Comparison.Second::opsPerSecond).max().orElse(1);
    int k = 0;
    for (Comparison.Row r : rows) {
      for (Comparison.Marker m : r.events()) {
        chart.addAnnotation(new AnnotationLine(m.atSeconds(), true, false));
        if (!p99) { // one line of text under the other, as events of several bundles may fall at one time
          chart.addAnnotation(new AnnotationText(r.input().label() + ": " + m.label(), m.atSeconds(), top * Math.max(0.05, 1 - 0.05 * k++), false));
        }
      }
    }
    return chart;
  }

  /** Sweeps: p99 (from each operation's intended start) against the throughput each step achieved. */
  private static XYChart curves(List<Comparison.Row> rows) {
    XYChart chart = new XYChartBuilder().width(1000).height(600).title("Latency against throughput (sweeps)")
        .xAxisTitle("achieved operations per second").yAxisTitle("p99 latency (ms)").build();
    style(chart);
    chart.getStyler().setYAxisLogarithmic(true);
    for (Comparison.Row r : rows) {
      List<Double> xs = r.input().curve().stream().map(Comparison.CurvePoint::achieved).toList();
      List<Double> ys = r.input().curve().stream().map(c -> Math.max(1e-3, c.p99Us() / 1000.0)).toList();
      chart.addSeries(r.input().label(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }
    return chart;
  }

  /** Category labels slanted when they would not fit side by side. */
  private static int labelRotation(List<Comparison.Row> rows) {
    int chars = rows.stream().mapToInt(r -> r.input().label().length()).sum();
    return rows.size() > 4 || chars > 100 ? 20 : 0;
  }

  private static void style(XYChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setXAxisDecimalPattern("0.#");
    chart.getStyler().setYAxisDecimalPattern("#,##0.###");
  }
}
