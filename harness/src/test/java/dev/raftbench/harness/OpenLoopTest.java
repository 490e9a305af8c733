package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open loop against the synthetic engine, whose truth is known: what the harness reports must be
 * that truth, and a stall must show in the corrected latencies as wrk2 shows it.
 */
class OpenLoopTest {
  private static final long MS = 1_000_000L;

  private static JsonNode trial(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("trial.json").toFile());
  }

  /** Every interval histogram of the log, summed per tag, read back with HdrHistogram's own reader. */
  private static Map<String, Histogram> hlog(Path out) throws Exception {
    Map<String, Histogram> byTag = new HashMap<>();
    HistogramLogReader reader = new HistogramLogReader(out.resolve("latency.hlog").toFile());
    EncodableHistogram h;
    while ((h = reader.nextIntervalHistogram(0.0, Double.MAX_VALUE)) != null) {
      byTag.computeIfAbsent(h.getTag(), t -> OpMetrics.newHistogram()).add((Histogram) h);
    }
    return byTag;
  }

  @Test
  @Timeout(120) // a guard against hangs, not a timing assertion
  void belowSaturationTheReportedLatencyIsTheServiceTime(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("fixed");
    HarnessCli r = HarnessCli.run("run", "workload-c", "--engine", "synthetic", "-E", "latency=fixed:1ms", "-E", "servers=64",
        "--target", "400", "--threads", "1", "--inflight", "8", "--recordcount", "100", "--warmup", "3s", "--duration", "4s",
        "--noise-floor", "0", "--quiet", "--out", out.toString()); // forked: a JVM of its own, as users run it
    assertThat(r.code).as(r.err).isZero();
    JsonNode t = trial(out);
    assertThat(t.at("/spec/loop").asText()).isEqualTo("open");
    assertThat(t.at("/summary/noise_floor/measured").asBoolean()).isFalse();
    // truth: every operation takes 1000 us. Run alone, the median is within 1 % of it; but the
    // synthetic engine's clock thread is itself late when the 2 cores are shared with the build
    // (CI once gave a corrected median of 1,017.3 us), so the median is held to 3 %. The tail
    // carries more of that jitter (run alone, p90 was within 1 % and p99 2 % (service) to 34 %
    // (corrected) above the truth; under CI's build the corrected p90 once reached 1,174 us and
    // its p99 2,036 us: 16 samples of 1,600), so p90 and p99 are only bounded here, against a
    // wrong clock: a measurement that dropped the wait fails the median, and one from the wrong
    // timestamp (a schedule left behind) grows without bound.
    for (String view : new String[] {"ops", "service"}) {
      assertThat(t.at("/summary/" + view + "/READ/p50_us").asDouble()).as(view + " p50").isBetween(1000.0, 1030.0);
      assertThat(t.at("/summary/" + view + "/READ/p90_us").asDouble()).as(view + " p90").isBetween(1000.0, 1500.0);
      assertThat(t.at("/summary/" + view + "/READ/p99_us").asDouble()).as(view + " p99").isBetween(1000.0, 5000.0);
    }
    assertThat(t.at("/summary/errors").asLong()).isZero();
  }

  @Test
  @Timeout(120)
  void aStallShowsAsManyLateOperationsNotOneSlowOne(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("stall");
    int rate = 200;
    HarnessCli r = HarnessCli.run("run", "workload-c", "--engine", "synthetic", "-E", "latency=fixed:1ms", "-E", "stall=1s:1s",
        "--target", Integer.toString(rate), "--threads", "1", "--inflight", "1", "--recordcount", "100", "--warmup", "0s",
        "--duration", "4s", "--noise-floor", "0", "--forks", "0", "--quiet", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    Map<String, Histogram> logged = hlog(out);
    Histogram corrected = logged.get("READ");
    Histogram service = logged.get("READ" + TrialRunner.SERVICE_TAG);
    // every operation meant to start during the 1 s stall waited for its end: about rate x 1 s of
    // them, their latencies spread from the stall's length down (as wrk2 reports it)
    long late = corrected.getCountBetweenValues(100 * MS, OpMetrics.HIGHEST_NANOS);
    assertThat(late).as("corrected samples over 100 ms").isBetween((long) (0.8 * rate), (long) (1.4 * rate));
    assertThat(corrected.getMaxValue()).as("the worst waited about the stall").isBetween(900 * MS, 1200 * MS);
    assertThat(corrected.getCountBetweenValues(300 * MS, 700 * MS)).as("spread, not piled at the top").isPositive();
    // the send-to-answer view hides it: one slow operation
    assertThat(service.getCountBetweenValues(100 * MS, OpMetrics.HIGHEST_NANOS)).as("service samples over 100 ms").isEqualTo(1);
  }
}
