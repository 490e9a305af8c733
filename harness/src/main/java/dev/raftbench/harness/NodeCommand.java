package dev.raftbench.harness;

import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.Engines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code harness node}: one node of a cluster file ({@link ClusterFile}) as a long-lived daemon.
 * It serves until SIGTERM (or SIGINT), then stops its replicas and keeps its data directory, so the
 * same command restarts it with its state and it rejoins its groups.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run one node of a cluster file as a daemon until SIGTERM: its Raft server at its address in the file,"
        + " a replica of each shard the file's placement gives it, its state kept in --data-dir across restarts;"
        + " with --http, an HTTP/JSON front door (GET/PUT/DELETE /kv/KEY, /scan, /health, /shards) routed to the whole cluster.",
        "Drive the cluster with: harness run WORKLOAD --cluster FILE"})
final class NodeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "the cluster file (YAML: engine, shards, nodes with their addresses)")
  Path clusterFile;

  @Option(names = "--id", required = true, description = "this node's id in the cluster file (n1, n2, ...)")
  String id;

  @Option(names = "--engine", description = "the engine, if given: must be the cluster file's")
  String engine;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "where the Raft server listens, if given: must be the node's address"
      + " in the cluster file (its peers dial that)")
  String listen;

  @Option(names = "--data-dir", description = "where the node keeps its state (default: raftbench-data/ID in the working directory)")
  Path dataDir;

  @Option(names = "--http", paramLabel = "HOST:PORT", description = "serve the HTTP front door here (port 0: any; the port is written"
      + " to DATA-DIR/http.port); default: the node's http address in the cluster file, if any")
  String http;

  @Option(names = "--exit-with-parent", hidden = true, description = "also stop when stdin closes (the JVM that started it is gone): for tests")
  boolean exitWithParent;

  @Override
  public Integer call() throws Exception {
    ClusterFile cluster;
    int index;
    try {
      cluster = ClusterFile.load(clusterFile);
      index = cluster.indexOf(id);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ClusterFile.Node me = cluster.nodes().get(index);
    if (engine != null && !engine.equals(cluster.engine())) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--engine " + engine + ", but " + clusterFile + " runs " + cluster.engine());
    }
    if (listen != null && !listen.equals(me.address())) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + listen + ", but " + clusterFile + " gives " + id
          + " the address " + me.address() + ": its peers dial that one");
    }
    String door = http != null ? ClusterFile.endpoint("--http", http, true) : me.http();
    Path dir = dataDir != null ? dataDir : Path.of("raftbench-data", id);
    EngineProvider provider = Engines.byName(cluster.engine());
    PrintWriter out = spec.commandLine().getOut();

    List<AutoCloseable> open = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      closeAll(open);
      System.out.println("harness node: " + id + " stopped; its data stays in " + dir.toAbsolutePath());
      System.out.flush();
      stopped.countDown();
    }, "raftbench-node-shutdown");
    try {
      open.add(provider.serveNode(cluster.spec(), index, dir));
      if (door != null) {
        FrontDoor frontDoor = FrontDoor.start(cluster, id, door);
        open.add(0, frontDoor); // closed first: it is a client of the node
        // whole or not at all: a reader waiting for the file never sees it empty
        dev.raftbench.store.engine.ChildProcess.writeWhole(dir.resolve("http.port"), String.valueOf(frontDoor.port()));
        door = door.substring(0, door.lastIndexOf(':') + 1) + frontDoor.port();
      }
    } catch (Exception e) {
      closeAll(open);
      throw new IOException("node " + id + " of " + clusterFile + " did not start at " + me.address() + ": " + Harness.describe(e), e);
    }
    Runtime.getRuntime().addShutdownHook(hook);
    List<Integer> held = new ArrayList<>();
    for (int s = 0; s < cluster.spec().shards(); s++) {
      if (cluster.spec().layout().get(s).contains(index)) {
        held.add(s);
      }
    }
    out.printf("harness node: %s of %s (%s, %s log, fsync %s) serving at %s; replicas of shards %s; data in %s%s%n", id, cluster.engine(),
        cluster.spec().transport(), cluster.spec().log().name().toLowerCase(), cluster.spec().fsync() ? "on" : "off", me.address(), held,
        dir.toAbsolutePath(), door == null ? "" : "; front door at http://" + door);
    out.println("harness node: stop with SIGTERM (kill " + ProcessHandle.current().pid() + "); the data directory is kept");
    out.flush();
    if (exitWithParent) {
      dev.raftbench.store.engine.ChildProcess.awaitParentExit();
      System.exit(0); // the shutdown hook stops the node
    }
    stopped.await(); // the shutdown hook ends the wait; the JVM exits on the signal
    return 0;
  }

  private static void closeAll(List<AutoCloseable> open) {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("harness node: closing " + c + ": " + Harness.describe(e));
      }
    }
    open.clear();
  }
}
