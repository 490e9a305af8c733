package dev.raftbench.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.raftbench.store.client.RetryPolicy;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineException;
import dev.raftbench.store.engine.Engines;
import dev.raftbench.store.kv.Codec;
import dev.raftbench.store.kv.Record;
import dev.raftbench.store.kv.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A node's HTTP/JSON key-value API ({@code harness node --http HOST:PORT}), served by the JDK's
 * own HTTP server ({@code com.sun.net.httpserver}) and routed through the same sharded client the
 * harness drives the cluster with, connected to the whole cluster of the cluster file:
 *
 * <ul>
 *   <li>{@code PUT /kv/KEY} with a JSON object of string fields: the record, replaced whole; 200</li>
 *   <li>{@code PATCH /kv/KEY} with some fields: those replaced or added; 404 if there is no record</li>
 *   <li>{@code GET /kv/KEY[?fields=a,b]}: {@code {"key":..., "fields":{...}}}, or 404</li>
 *   <li>{@code DELETE /kv/KEY}: 200, or 404 if there was none</li>
 *   <li>{@code GET /scan?start=KEY&limit=N[&fields=a,b]}: {@code {"rows":[{"key":..., "fields":{...}}...]}}</li>
 *   <li>{@code GET /health}: 200 once the cluster answers (every shard has a leader), else 503</li>
 *   <li>{@code GET /shards[?key=KEY]}: the shard map (members and leader of each shard), and the key's shard</li>
 * </ul>
 *
 * Bad requests (empty or oversized key, a body that is not a JSON object of strings) are 400 with
 * {@code {"error": ...}}; a cluster that did not answer within the client's retries is 503.
 */
final class FrontDoor implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = Codec.MAX_COMMAND_BYTES;
  private static final int MAX_SCAN = 10_000;

  private final ClusterFile cluster;
  private final String node;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Thread connector;
  private volatile Engine engine;
  private volatile ShardedKvClient client;
  private volatile String state = "connecting to the cluster";
  private volatile boolean closed;

  private FrontDoor(ClusterFile cluster, String node, HttpServer server) {
    this.cluster = cluster;
    this.node = node;
    this.server = server;
    this.executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "raftbench-frontdoor");
      t.setDaemon(true);
      return t;
    });
    this.connector = new Thread(this::connect, "raftbench-frontdoor-connect");
    this.connector.setDaemon(true);
  }

  /** Listens on {@code hostPort} (port 0: any) at once; connects to the cluster in the background. */
  static FrontDoor start(ClusterFile cluster, String node, String hostPort) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    HttpServer server = HttpServer.create(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 256);
    FrontDoor door = new FrontDoor(cluster, node, server);
    server.setExecutor(door.executor);
    server.createContext("/", door::handle);
    server.start();
    door.connector.start();
    return door;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Until connected or closed: the cluster's daemons may start after this one. */
  private void connect() {
    while (!closed) {
      try {
        Engine e = Engines.byName(cluster.engine()).start(cluster.spec());
        if (closed) {
          e.close();
          return;
        }
        engine = e;
        client = new ShardedKvClient(e, cluster.partitioner(), RetryPolicy.DEFAULT);
        state = "serving";
        return;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        state = "connecting to the cluster: " + Harness.describe(e);
        try {
          Thread.sleep(1000);
        } catch (InterruptedException i) {
          return;
        }
      }
    }
  }

  private void handle(HttpExchange x) {
    try {
      String path = x.getRequestURI().getPath();
      Map<String, String> query = query(x.getRequestURI().getRawQuery());
      String method = x.getRequestMethod();
      if (path.equals("/health")) {
        ObjectNode h = JSON.createObjectNode().put("node", node).put("engine", cluster.engine()).put("shards", cluster.spec().shards())
            .put("state", state);
        send(x, client != null ? 200 : 503, h);
        return;
      }
      ShardedKvClient c = client;
      if (c == null) {
        error(x, 503, state);
        return;
      }
      if (path.equals("/shards")) {
        send(x, 200, shardMap(c, query.get("key")));
      } else if (path.equals("/scan") && method.equals("GET")) {
        String start = query.get("start");
        if (start == null) {
          throw new IllegalArgumentException("a scan needs ?start=KEY (and &limit=N, default 10)");
        }
        int limit = Integer.parseInt(query.getOrDefault("limit", "10"));
        if (limit <= 0 || limit > MAX_SCAN) {
          throw new IllegalArgumentException("limit must lie in 1.." + MAX_SCAN + ", was " + limit);
        }
        reply(x, c.scan(start, limit, fields(query)), null);
      } else if (path.startsWith("/kv/")) {
        String key = path.substring("/kv/".length());
        switch (method) {
          case "GET" -> reply(x, c.get(key, fields(query)), key);
          case "PUT", "POST" -> reply(x, c.put(key, record(x)), key);
          case "PATCH" -> reply(x, c.update(key, record(x)), key);
          case "DELETE" -> reply(x, c.delete(key), key);
          default -> error(x, 405, "method " + method + " on /kv/KEY (GET, PUT, PATCH, DELETE)");
        }
      } else {
        error(x, 404, "no such resource: " + method + " " + path + " (/kv/KEY, /scan, /health, /shards)");
      }
    } catch (IllegalArgumentException | JsonProcessingException e) { // a CodecException too: a command too large
      error(x, 400, e.getMessage());
    } catch (BodyTooLarge e) {
      error(x, 413, e.getMessage());
    } catch (IOException | RuntimeException e) {
      error(x, 500, Harness.describe(e));
    }
  }

  private ObjectNode shardMap(ShardedKvClient c, String key) {
    ObjectNode m = JSON.createObjectNode().put("engine", cluster.engine()).put("hashing", cluster.hashing());
    ArrayNode shards = m.putArray("shards");
    Engine e = engine;
    for (int s = 0; s < cluster.spec().shards(); s++) {
      ObjectNode o = shards.addObject().put("shard", s);
      e.members(s).forEach(o.putArray("members")::add);
      o.put("leader", e.leader(s).orElse(null));
    }
    if (key != null) {
      m.put("key", key).put("key_shard", c.shardOf(key));
    }
    return m;
  }

  private void reply(HttpExchange x, CompletableFuture<Reply> f, String key) {
    f.whenComplete((r, error) -> {
      if (error != null) {
        Throwable t = ShardedKvClient.unwrap(error);
        error(x, t instanceof IllegalArgumentException ? 400 : t instanceof EngineException ? 503 : 500,
            Harness.describe(t));
      } else if (r instanceof Reply.Missing) {
        error(x, 404, "no record under key " + key);
      } else if (r instanceof Reply.Found found) {
        send(x, 200, row(key, found.record()));
      } else if (r instanceof Reply.Rows rows) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray("rows");
        rows.rows().forEach(row -> a.add(row(row.key(), row.record())));
        send(x, 200, o);
      } else {
        send(x, 200, JSON.createObjectNode().put("result", "ok"));
      }
    });
  }

  private static ObjectNode row(String key, Record record) {
    ObjectNode o = JSON.createObjectNode().put("key", key);
    o.set("fields", fields(record));
    return o;
  }

  /** The wire form of a record, both ways ({@link HttpClientEngine} too): a JSON object of UTF-8 string fields. */
  static ObjectNode fields(Record record) {
    ObjectNode f = JSON.createObjectNode();
    for (int i = 0; i < record.size(); i++) {
      f.put(record.name(i), new String(record.value(i), StandardCharsets.UTF_8));
    }
    return f;
  }

  /** A record from its wire form; a value that is not a string is refused (IllegalArgumentException). */
  static Record record(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object of fields, e.g. {\"field0\": \"value\"}");
    }
    Map<String, byte[]> fields = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("field " + e.getKey() + " must be a string, was " + e.getValue().getNodeType().name().toLowerCase());
      }
      fields.put(e.getKey(), e.getValue().textValue().getBytes(StandardCharsets.UTF_8));
    }
    return Record.of(fields);
  }

  /** The body: a JSON object whose every value is a string. */
  private static Record record(HttpExchange x) throws IOException {
    byte[] body;
    try (InputStream in = x.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      throw new BodyTooLarge("a body over " + MAX_BODY + " bytes");
    }
    return record(JSON.readTree(body));
  }

  private static List<String> fields(Map<String, String> query) {
    String f = query.get("fields");
    return f == null || f.isEmpty() ? List.of() : Arrays.asList(f.split(","));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new TreeMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        String[] kv = pair.split("=", 2);
        m.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length == 2 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return m;
  }

  private static void error(HttpExchange x, int status, String message) {
    send(x, status, JSON.createObjectNode().put("error", message));
  }

  private static void send(HttpExchange x, int status, JsonNode body) {
    try (x) {
      byte[] b = JSON.writeValueAsBytes(body);
      x.getResponseHeaders().set("Content-Type", "application/json");
      x.sendResponseHeaders(status, b.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(b);
      }
    } catch (IOException gone) {
      // the caller hung up: nothing to tell it
    }
  }

  private static final class BodyTooLarge extends IOException {
    BodyTooLarge(String message) {
      super(message);
    }
  }

  @Override
  public void close() {
    closed = true;
    connector.interrupt();
    server.stop(1);
    executor.shutdownNow();
    ShardedKvClient c = client;
    if (c != null) {
      c.close();
    }
    Engine e = engine;
    if (e != null) {
      e.close();
    }
    try {
      connector.join(TimeUnit.SECONDS.toMillis(70));
    } catch (InterruptedException i) {
      Thread.currentThread().interrupt();
    }
  }
}
