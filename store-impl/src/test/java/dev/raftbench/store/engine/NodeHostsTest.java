package dev.raftbench.store.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real network namespaces (root and iproute2, as on the CI machine; skipped elsewhere): three
 * "hosts" each running a TCP server on its own address, reached from the test's namespace (the
 * client's) and from each other; one cut off and reconnected; a fourth joining while one is cut
 * off; everything removed on close.
 */
class NodeHostsTest {
  private static final int PORT = 7000;

  /** A TCP server on the given address and port that accepts and closes; writes its marker when it listens. */
  public static final class Listener {
    public static void main(String[] args) throws IOException {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        ChildProcess.writeWhole(Path.of(args[2]), "listening");
        while (true) {
          s.accept().close();
        }
      }
    }
  }

  @Test
  void loopbackHostsAreAllOnLocalhostAndCannotBeCutOff() {
    NodeHosts hosts = NodeHosts.loopback(3);
    assertThat(hosts.address(2)).isEqualTo("127.0.0.1");
    assertThat(hosts.command(0, List.of("java"))).containsExactly("java");
    assertThatThrownBy(() -> hosts.isolate(0)).hasMessageContaining("--cluster netns");
  }

  @Test
  @Timeout(180) // a guard against hangs, not a timing assertion
  void aNodeCutOffLosesItsPeersButNotTheClient(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(NodeHosts.unavailableReason() == null, () -> "no network namespaces here: " + NodeHosts.unavailableReason());
    List<ChildProcess> listeners = new ArrayList<>();
    List<String> namespaces;
    try (NodeHosts hosts = NodeHosts.netns(3)) {
      assertThat(hosts.namespaced()).isTrue();
      assertThat(hosts.address(0)).startsWith("198.18.").isNotEqualTo(hosts.address(1));
      namespaces = namespaces();
      assertThat(namespaces).anyMatch(n -> n.startsWith("raftbench-" + ProcessHandle.current().pid() + "-"));
      try {
        for (int i = 0; i < 3; i++) {
          Path marker = dir.resolve("listening-" + i);
          ChildProcess p = new ChildProcess("listener " + i, hosts.command(i, ChildProcess.javaCommand(List.of(), Listener.class.getName(),
              List.of(hosts.address(i), String.valueOf(PORT), marker.toString()))), dir.resolve("listener-" + i + ".log"));
          listeners.add(p);
          p.start();
          p.awaitReady(marker, Duration.ofSeconds(60));
        }
        for (int i = 0; i < 3; i++) {
          assertThat(fromClient(hosts.address(i))).as("the client reaches node %d", i).isTrue();
          for (int j = 0; j < 3; j++) {
            assertThat(probe(hosts, j, hosts.address(i))).as("node %d reaches node %d", j, i).isZero();
          }
        }

        hosts.isolate(0);
        assertThat(hosts.isolated(0)).isTrue();
        // 124: timeout(1) gave up: the packets vanished, no error came back, as in a real partition
        assertThat(probe(hosts, 1, hosts.address(0))).as("a peer no longer reaches the cut-off node").isEqualTo(124);
        assertThat(probe(hosts, 0, hosts.address(2))).as("the cut-off node no longer reaches a peer").isEqualTo(124);
        assertThat(probe(hosts, 1, hosts.address(2))).as("the others still reach each other").isZero();
        assertThat(fromClient(hosts.address(0))).as("the client still reaches the cut-off node").isTrue();

        hosts.heal(0);
        assertThat(probe(hosts, 1, hosts.address(0))).as("reconnected").isZero();
        assertThat(probe(hosts, 0, hosts.address(2))).as("reconnected").isZero();

        // two cut off at once: healing one keeps the link between them cut until the other heals
        hosts.isolate(0);
        hosts.isolate(1);
        hosts.heal(0);
        assertThat(probe(hosts, 0, hosts.address(2))).as("node 0 is back with node 2").isZero();
        assertThat(probe(hosts, 0, hosts.address(1))).as("node 1 is still cut off").isEqualTo(124);
        hosts.heal(1);
        assertThat(probe(hosts, 0, hosts.address(1))).as("both back").isZero();
        assertThat(probe(hosts, 1, hosts.address(2))).as("both back").isZero();

        // a node joins while node 0 is cut off: a namespace of its own with the next address, cut off from node 0 too
        hosts.isolate(0);
        String joined = hosts.address(3);
        assertThat(hosts.size()).isEqualTo(4);
        assertThat(joined).startsWith("198.18.").isNotIn(hosts.address(0), hosts.address(1), hosts.address(2));
        Path marker = dir.resolve("listening-3");
        ChildProcess p = new ChildProcess("listener 3", hosts.command(3, ChildProcess.javaCommand(List.of(), Listener.class.getName(),
            List.of(joined, String.valueOf(PORT), marker.toString()))), dir.resolve("listener-3.log"));
        listeners.add(p);
        p.start();
        p.awaitReady(marker, Duration.ofSeconds(60));
        assertThat(fromClient(joined)).as("the client reaches the newcomer").isTrue();
        assertThat(probe(hosts, 3, hosts.address(1))).as("the newcomer reaches node 1").isZero();
        assertThat(probe(hosts, 2, joined)).as("node 2 reaches the newcomer").isZero();
        assertThat(probe(hosts, 3, hosts.address(0))).as("the newcomer does not reach the cut-off node").isEqualTo(124);
        assertThat(probe(hosts, 0, joined)).as("nor it the newcomer").isEqualTo(124);
        hosts.heal(0);
        assertThat(probe(hosts, 3, hosts.address(0))).as("reconnected with the newcomer").isZero();
      } finally {
        listeners.forEach(ChildProcess::kill);
      }
    }
    List<String> after = namespaces();
    assertThat(after).noneMatch(n -> n.startsWith("raftbench-" + ProcessHandle.current().pid() + "-"));
  }

  /** Connects from node j's namespace with bash's /dev/tcp, giving up after 2 s: its exit code (0: connected). */
  private static int probe(NodeHosts hosts, int from, String address) throws Exception {
    Process p = new ProcessBuilder(hosts.command(from, List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + PORT)))
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  private static boolean fromClient(String address) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, PORT), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> namespaces() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out.lines().map(l -> l.strip().split("\\s+")[0]).toList();
  }
}
