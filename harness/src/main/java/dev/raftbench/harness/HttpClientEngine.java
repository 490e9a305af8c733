package dev.raftbench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.UnsupportedCapabilityException;
import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.kv.Command;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code run --cluster FILE --client http}: the cluster's HTTP front doors ({@link FrontDoor}) seen
 * as one shard, so the harness's sharded client sends every operation whole to a front door (in
 * turn) and the front door's own sharded client routes it; what this costs against the native
 * client is the front door's price. Built on the JDK's HTTP client, asynchronous.
 */
final class HttpClientEngine implements Engine {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final List<String> doors;
  private final HttpClient http;
  private final AtomicInteger next = new AtomicInteger();

  /** Refuses a cluster file whose nodes have no front door. */
  HttpClientEngine(ClusterFile cluster) throws IOException, InterruptedException {
    List<String> d = new ArrayList<>();
    for (ClusterFile.Node n : cluster.nodes()) {
      if (n.http() != null) {
        d.add("http://" + n.http());
      }
    }
    if (d.isEmpty()) {
      throw new IllegalArgumentException("--client http: no node of " + cluster.path() + " has an http address (nodes: - id: n1 ... http: HOST:PORT)");
    }
    this.doors = List.copyOf(d);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    for (String door : doors) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(door + "/health")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new EngineException("the front door " + door + " is not serving yet: " + r.body(), false);
      }
    }
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public int shards() {
    return 1;
  }

  @Override
  public List<String> nodes() {
    return doors;
  }

  private String door() {
    return doors.get(Math.floorMod(next.getAndIncrement(), doors.size()));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public CompletableFuture<Reply> write(int shard, Command.Write write) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(door() + "/kv/" + enc(write.key())));
    if (write instanceof Command.Put p) {
      return send(b.PUT(body(p.record())));
    }
    if (write instanceof Command.Update u) {
      return send(b.method("PATCH", body(u.fields())));
    }
    return send(b.DELETE());
  }

  @Override
  public CompletableFuture<Reply> read(int shard, Command.Read read) {
    if (read instanceof Command.Get g) {
      return send(HttpRequest.newBuilder(URI.create(door() + "/kv/" + enc(g.key()) + fields("?", g.fields()))).GET());
    }
    Command.Scan s = (Command.Scan) read;
    return send(HttpRequest.newBuilder(URI.create(door() + "/scan?start=" + enc(s.key()) + "&limit=" + s.limit()
        + fields("&", s.fields()))).GET());
  }

  private static String fields(String sep, List<String> fields) {
    return fields.isEmpty() ? "" : sep + "fields=" + enc(String.join(",", fields));
  }

  private static HttpRequest.BodyPublisher body(Record r) {
    try {
      return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(FrontDoor.fields(r)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private CompletableFuture<Reply> send(HttpRequest.Builder request) {
    return http.sendAsync(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle((r, error) -> {
          if (error != null) {
            throw new EngineException("front door: " + Harness.describe(error), true, error);
          }
          return reply(r);
        });
  }

  private static Reply reply(HttpResponse<byte[]> r) {
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new EngineException("front door answered " + r.statusCode() + " with no JSON: " + e.getMessage(), false, e);
    }
    switch (r.statusCode()) {
      case 200 -> {
        if (body.has("rows")) {
          List<Reply.Row> rows = new ArrayList<>();
          body.get("rows").forEach(row -> rows.add(new Reply.Row(row.get("key").asText(), FrontDoor.record(row.get("fields")))));
          return new Reply.Rows(rows);
        }
        return body.has("fields") ? new Reply.Found(FrontDoor.record(body.get("fields"))) : new Reply.Done();
      }
      case 404 -> {
        return new Reply.Missing();
      }
      case 400, 413 -> throw new IllegalArgumentException(body.path("error").asText());
      case 503 -> throw new EngineException("front door: " + body.path("error").asText(), true);
      default -> throw new EngineException("front door answered " + r.statusCode() + ": " + body.path("error").asText(), false);
    }
  }

  @Override
  public CompletableFuture<Reply> readAt(String node, int shard, Command.Read read) {
    return CompletableFuture.failedFuture(new UnsupportedCapabilityException(name() + " (a front door reads through the leader)",
        Capability.REPLICATION));
  }

  @Override
  public Optional<String> leader(int shard) {
    return Optional.empty();
  }

  @Override
  public List<String> members(int shard) {
    return doors;
  }

  @Override
  public void stopNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.NODE_STOP_START);
  }

  @Override
  public void startNode(String node) {
    throw new UnsupportedCapabilityException(name(), Capability.NODE_STOP_START);
  }

  @Override
  public void close() {
    // Java 17's HttpClient has no close: its selector thread is a daemon and ends with the client
  }
}
