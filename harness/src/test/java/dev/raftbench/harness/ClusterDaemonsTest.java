package dev.raftbench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftbench.store.engine.ChildProcess;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.engine.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code harness node} daemons of a cluster file, each a JVM of its own as a user starts them, driven
 * by {@code run --cluster FILE} and by HTTP through a node's front door; one daemon stopped with
 * SIGTERM and started again with the same command rejoins with its data.
 */
class ClusterDaemonsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @ParameterizedTest
  @ValueSource(strings = {"ratis", "sofajraft"})
  @Timeout(400)
  void daemonsServeARunAndTheFrontDoorAndARestartedNodeRejoins(String engine, @TempDir Path dir) throws Exception {
    int[] ports = FreePorts.pick(4);
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, "engine: " + engine + "\nshards: 2\ntopology:\n  hosts: 1\n  note: loopback\nnodes:\n"
        + "  - id: n1\n    address: 127.0.0.1:" + ports[0] + "\n    http: 127.0.0.1:" + ports[3] + "\n"
        + "  - id: n2\n    address: 127.0.0.1:" + ports[1] + "\n"
        + "  - id: n3\n    address: 127.0.0.1:" + ports[2] + "\n");
    List<ChildProcess> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        nodes.add(daemon(engine, file, dir, i));
      }
      for (ChildProcess n : nodes) {
        n.start();
      }
      nodes.get(0).awaitReady(dir.resolve("n1").resolve("http.port"), Duration.ofSeconds(120));
      assertThat(Files.readString(dir.resolve("n1").resolve("http.port"))).isEqualTo(String.valueOf(ports[3]));
      String door = "http://127.0.0.1:" + ports[3];
      awaitHealthy(door);

      // the driver on the daemons
      Path out = dir.resolve("run");
      HarnessCli r = HarnessCli.run("run", "workload-a", "--cluster", file.toString(), "--recordcount", "200", "--threads", "4",
          "--warmup", "1s", "--duration", "3s", "--noise-floor", "0", "--quiet", "--out", out.toString());
      assertThat(r.code).as(r.err).isZero();
      JsonNode t = JSON.readTree(out.resolve("trial.json").toFile());
      assertThat(t.at("/spec/cluster").asText()).isEqualTo("external");
      assertThat(t.at("/spec/engine").asText()).isEqualTo(engine);
      assertThat(t.at("/spec/shards").asInt()).isEqualTo(2);
      assertThat(t.at("/spec/endpoints").size()).isEqualTo(3);
      assertThat(t.at("/spec/cluster_file").asText()).isEqualTo(file.toString());
      assertThat(t.at("/spec/topology/note").asText()).isEqualTo("loopback");
      assertThat(t.at("/summary/errors").asLong()).isZero();
      assertThat(t.at("/verify/lost").asLong()).isZero();
      assertThat(t.at("/verify/verified").asLong()).isEqualTo(200);

      // the front door: a key put through it reads back, a missing one is 404, bad requests are 400
      assertThat(send("GET", door + "/kv/user" + "does-not-exist", null).statusCode()).isEqualTo(404);
      HttpResponse<String> put = send("PUT", door + "/kv/door-key", "{\"field0\":\"hello\"}");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      HttpResponse<String> got = send("GET", door + "/kv/door-key", null);
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(got.body()).at("/fields/field0").asText()).isEqualTo("hello");
      assertThat(send("PUT", door + "/kv/door-key", "[\"not\", \"an object\"]").statusCode()).isEqualTo(400);
      assertThat(send("PUT", door + "/kv/", "{}").statusCode()).isEqualTo(400);
      JsonNode scan = JSON.readTree(send("GET", door + "/scan?start=door&limit=5", null).body());
      assertThat(scan.at("/rows/0/key").asText()).isEqualTo("door-key");
      JsonNode shards = JSON.readTree(send("GET", door + "/shards?key=door-key", null).body());
      assertThat(shards.at("/shards").size()).isEqualTo(2);
      assertThat(shards.at("/key_shard").asInt()).isBetween(0, 1);

      // SIGTERM to n3: it stops cleanly and keeps its data; the same command brings it back into its groups
      ChildProcess n3 = nodes.get(2);
      n3.stop(60);
      assertThat(n3.alive()).isFalse();
      assertThat(Files.readString(n3.log())).contains("harness node: n3 stopped; its data stays in");
      assertThat(send("PUT", door + "/kv/while-n3-down", "{\"f\":\"v\"}").statusCode()).isEqualTo(200);
      n3.start();
      awaitLog(n3, 2, "harness node: n3 of " + engine);
      assertThat(send("DELETE", door + "/kv/door-key", null).statusCode()).isEqualTo(200);
      assertThat(send("DELETE", door + "/kv/door-key", null).statusCode()).isEqualTo(404);
      // a second run with n3 back, through the front door this time, loses nothing
      Path out2 = dir.resolve("run2");
      HarnessCli r2 = HarnessCli.run("run", "workload-a", "--cluster", file.toString(), "--client", "http", "--recordcount", "200",
          "--threads", "4", "--warmup", "1s", "--duration", "2s", "--noise-floor", "0", "--quiet", "--out", out2.toString());
      assertThat(r2.code).as(r2.err).isZero();
      JsonNode t2 = JSON.readTree(out2.resolve("trial.json").toFile());
      assertThat(t2.at("/spec/client").asText()).isEqualTo("http");
      assertThat(t2.at("/summary/errors").asLong()).isZero();
      assertThat(t2.at("/verify/verified").asLong()).isEqualTo(200);
      assertThat(t2.at("/verify/lost").asLong()).isZero();
    } finally {
      nodes.parallelStream().forEach(n -> n.stop(60));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "engine: atomix                          | the atomix engine has no node daemons",
      "engine: ratis                           | no nodes",
      "engine: ratis\\nnodes:\\n  - id: n2\\n    address: 127.0.0.1:7000 | node 1 must have id n1",
      "engine: ratis\\nnodes:\\n  - id: n1\\n    address: 127.0.0.1      | n1.address must be HOST:PORT, was '127.0.0.1'",
      "engine: ratis\\nnodes:\\n  - id: n1\\n    address: 127.0.0.1:0    | n1.address: port must lie in 1..65535, was 0",
      "engine: ratis\\ncolour: red\\nnodes: []                            | unknown field 'colour'",
      "engine: ratis\\nhashing: range\\nnodes:\\n  - id: n1\\n    address: 127.0.0.1:7000 | hashing range splits a workload's key sample",
      "engine: ratis\\nshards: many                                       | Cannot deserialize value of type `java.lang.Integer`",
  })
  void aBadClusterFileIsNamedInOneLine(String yaml, String message, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, yaml.trim().replace("\\n", "\n") + "\n");
    for (String[] args : List.of(new String[] {"run", "workload-a", "--cluster", file.toString()},
        new String[] {"node", "--cluster", file.toString(), "--id", "n1"})) {
      HarnessCli r = HarnessCli.run(args);
      assertThat(r.code).as(r.err).isEqualTo(Harness.USAGE);
      assertThat(r.err).contains("cluster file " + file).contains(message);
      assertThat(r.err.strip().lines()).hasSize(1);
    }
  }

  @Test
  void aRunOnAClusterFileTakesItsShapeFromTheFileAlone(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "engine: ratis\nnodes:\n  - id: n1\n    address: 127.0.0.1:7000\n");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--cluster", file.toString(), "--shards", "4");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains("--shards: the cluster file " + file + " sets the engine and the cluster's shape; leave --shards out");
    r = HarnessCli.run("run", "workload-a", "--cluster", file.toString(), "--event", "5s:kill-leader");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains("--event: the nodes of a cluster file are daemons this trial did not start");
    r = HarnessCli.run("run", "workload-a", "--cluster", file.toString(), "--client", "http");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains("--client http: no node of " + file + " has an http address");
    r = HarnessCli.run("node", "--cluster", file.toString(), "--id", "n4");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains("has no node n4 (nodes: n1)");
    r = HarnessCli.run("node", "--cluster", file.toString(), "--id", "n1", "--listen", "127.0.0.1:7001");
    assertThat(r.code).isEqualTo(Harness.USAGE);
    assertThat(r.err).contains("--listen 127.0.0.1:7001, but " + file + " gives n1 the address 127.0.0.1:7000");
  }

  /** Nobody listens at the file's addresses: the run ends in one clear line, not a hang. */
  @Test
  @Timeout(120)
  void aRunOnAClusterNobodyRunsFailsClearly(@TempDir Path dir) throws Exception {
    int[] ports = FreePorts.pick(1);
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "engine: sofajraft\nnodes:\n  - id: n1\n    address: 127.0.0.1:" + ports[0] + "\n");
    HarnessCli r = HarnessCli.run("run", "workload-a", "--cluster", file.toString(), "--recordcount", "10", "--duration", "1s",
        "--noise-floor", "0", "--quiet", "--out", dir.resolve("o").toString());
    assertThat(r.code).isEqualTo(Harness.FAILED);
    assertThat(r.err).contains("nothing of the sofajraft cluster listens at 127.0.0.1:" + ports[0] + " (Connection refused)")
        .contains("are its nodes running (harness node), with this cluster file?");
  }

  private ChildProcess daemon(String engine, Path file, Path dir, int i) {
    List<String> args = new ArrayList<>(List.of("node", "--cluster", file.toString(), "--id", "n" + i,
        "--data-dir", dir.resolve("n" + i).toString(), "--exit-with-parent"));
    List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"));
    jvm.addAll(Engines.byName(engine).jvmArgs(ClusterFile.load(file).spec()));
    return new ChildProcess(engine + " daemon n" + i, ChildProcess.javaCommand(jvm, Harness.class.getName(), args),
        dir.resolve("n" + i + ".log"));
  }

  private void awaitHealthy(String door) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        if (send("GET", door + "/health", null).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      assertThat(System.nanoTime()).as("the front door at " + door + " never became healthy").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static void awaitLog(ChildProcess p, int times, String line) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (Files.readString(p.log()).split(java.util.regex.Pattern.quote(line), -1).length - 1 < times) {
      assertThat(p.alive()).as(p.logTail(2000)).isTrue();
      assertThat(System.nanoTime()).as(p.logTail(2000)).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
