package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashingCommandTest {
  @Test
  void comparesEverySchemeAndWritesTheBundle(@TempDir Path dir) throws Exception {
    HarnessCli r = HarnessCli.run("hashing", "--nodes", "8", "--shards", "64", "--keys", "20000", "--out", dir.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("jump").contains("ring").contains("rendezvous").contains("maglev").contains("range").contains("modulo");

    JsonNode json = new ObjectMapper().readTree(dir.resolve("hashing.json").toFile());
    assertThat(json.get("schema").asText()).isEqualTo("raftbench.hashing/1");
    assertThat(json.at("/ideal_moved_on_add").asDouble()).isEqualTo(1.0 / 9);
    List<String> schemes = new ArrayList<>();
    for (JsonNode row : json.get("schemes")) {
      String scheme = row.get("scheme").asText();
      schemes.add(scheme);
      assertThat(row.get("keysPeakToMean").asDouble()).as(scheme).isGreaterThanOrEqualTo(1.0);
      double moved = row.get("keysMovedOnAdd").asDouble();
      if (List.of("jump", "ring", "rendezvous").contains(scheme)) {
        // consistent schemes move shards only onto the new node
        assertThat(row.get("movesBetweenSurvivorsOnAdd").asDouble()).as(scheme).isZero();
        assertThat(moved).as(scheme).isLessThan(0.3);
      }
      if (scheme.equals("modulo")) {
        assertThat(moved).as("modulo reshuffles").isGreaterThan(0.5);
      }
    }
    assertThat(schemes).containsExactly("jump", "modulo", "ring", "rendezvous", "maglev", "bounded", "range", "range-even");

    List<String> csv = Files.readAllLines(dir.resolve("hashing.csv"));
    assertThat(csv).hasSize(9);
    for (String chart : List.of("balance.png", "movement.png", "balance-vs-nodes.png")) {
      assertThat(ImageIO.read(dir.resolve("charts").resolve(chart).toFile())).as(chart).isNotNull();
    }
  }

  @Test
  void refusesImpossibleShapes() {
    HarnessCli r = HarnessCli.run("hashing", "--nodes", "10", "--shards", "4");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err.strip()).startsWith("harness: --shards (4) must be at least --nodes + 1 (11)");
  }
}
