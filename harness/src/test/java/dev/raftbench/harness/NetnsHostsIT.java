package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftbench.store.engine.NodeHosts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/netns-hosts.sh with the shaded jar, as a user runs it: 3 hosts in network namespaces, a
 * daemon on each, 2 ms more round trip between them, a key put and got with curl through the front
 * door, a run from the root namespace across them, and nothing left behind.
 */
class NetnsHostsIT {
  private static final Path SCRIPT = Path.of("..", "scripts", "netns-hosts.sh");

  @Test
  void threeHostsTwoMillisecondsApartServeARunAndAreTornDown(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(NodeHosts.unavailableReason() == null, () -> "no network namespaces here: " + NodeHosts.unavailableReason());
    Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun for the delay");
    Path out = dir.resolve("hosts");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder b = new ProcessBuilder(List.of("bash", SCRIPT.toString(), "--engine", "sofajraft", "--rtt", "2", "--out", out.toString(),
        "--", "workload-a", "--recordcount", "200", "--threads", "4", "--warmup", "1s", "--duration", "3s", "--noise-floor", "0", "--quiet"))
        .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile());
    b.environment().put("JAR", Path.of("target", "harness.jar").toAbsolutePath().toString());
    Process p = b.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) { // a guard against a hang, not a timing assertion
      p.destroy();
      p.waitFor(2, TimeUnit.MINUTES);
      throw new AssertionError("netns-hosts.sh did not exit; stderr: " + Files.readString(err));
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stderr).isZero();
    assertThat(stderr).contains("{\"key\":\"netns-hello\",\"fields\":{\"field0\":\"hello from the root namespace\"}}");

    JsonNode t = new ObjectMapper().readTree(out.resolve("run-native").resolve("trial.json").toFile());
    assertThat(t.at("/spec/cluster").asText()).isEqualTo("external");
    assertThat(t.at("/spec/topology/hosts").asInt()).isEqualTo(3);
    assertThat(t.at("/spec/topology/rtt_ms").asDouble()).isEqualTo(2.0);
    // a lower bound: each packet between nodes is held 1 ms each way, which nothing can shorten
    assertThat(t.at("/spec/topology/rtt_measured_ms").asDouble()).isGreaterThanOrEqualTo(2.0);
    assertThat(t.at("/summary/errors").asLong()).isZero();
    assertThat(t.at("/verify/verified").asLong()).isEqualTo(200);
    assertThat(t.at("/verify/lost").asLong()).isZero();
    assertThat(Files.readString(out.resolve("n1.log"))).contains("harness node: n1 stopped");

    Matcher m = Pattern.compile("torn down \\(namespaces (rb\\d+)-h1\\.\\.3 and").matcher(stderr);
    assertThat(m.find()).as(stderr).isTrue();
    Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String namespaces = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    list.waitFor();
    assertThat(namespaces).doesNotContain(m.group(1) + "-");
  }
}
