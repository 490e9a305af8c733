package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Labels name what differs between bundles, topologies included, and never repeat (a chart refuses a repeated series). */
class ComparisonLabelTest {
  private static Comparison.Input input(String dir, String spec) throws Exception {
    return new Comparison.Input(Path.of(dir), "trial", new ObjectMapper().readTree(spec), List.of(), null, List.of(), null);
  }

  @Test
  void topologiesAndClientsLabelTheirBundlesAndSameNamedDirectoriesStayApart() throws Exception {
    String base = "{\"engine\":\"sofajraft\",\"transport\":\"bolt\",\"client\":\"%s\",\"topology\":{\"rtt_ms\":0.1%s}}";
    List<Comparison.Input> labelled = Comparison.labelled(List.of(
        input("/s/rtt0.1/run-native", base.formatted("native", "")),
        input("/s/rtt0.1/run-http", base.formatted("http", "")),
        input("/s/regions/run-native", base.formatted("native", ",\"links_rtt_ms\":{\"n1-n3\":40,\"n2-n3\":40}")),
        input("/s/regions/run-http", base.formatted("http", ",\"links_rtt_ms\":{\"n1-n3\":40,\"n2-n3\":40}")),
        input("/s/again/run-http", base.formatted("http", ""))));
    assertThat(labelled.get(0).label()).isEqualTo("client=native (rtt0.1/run-native)");
    assertThat(labelled.get(2).label()).isEqualTo("client=native links_rtt_ms=n1-n3:40,n2-n3:40 (regions/run-native)");
    assertThat(labelled.stream().map(Comparison.Input::label).distinct()).hasSize(5);
  }
}
