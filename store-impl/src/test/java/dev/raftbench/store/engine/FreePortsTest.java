package dev.raftbench.store.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void picksDistinctBindablePortsBelowTheEphemeralRange() throws Exception {
    int[] ports = FreePorts.pick(50);
    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(50);
    int ephemeralStart = FreePorts.ephemeralStart();
    if (Files.exists(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      assertThat(ephemeralStart).as("start of the ephemeral range").isGreaterThan(10_000);
      assertThat(Arrays.stream(ports).boxed().toList()).allSatisfy(p -> assertThat(p).isBetween(10_000, ephemeralStart - 1));
    }
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort()).isEqualTo(port);
      }
    }
  }

  @Test
  void skipsAPortThatIsTaken() throws Exception {
    // hold many ports below the range: none of them may be handed out
    int[] held = FreePorts.pick(200);
    ServerSocket[] sockets = new ServerSocket[held.length];
    try {
      for (int i = 0; i < held.length; i++) {
        sockets[i] = new ServerSocket(held[i], 1, InetAddress.getLoopbackAddress());
      }
      int[] more = FreePorts.pick(200);
      assertThat(Arrays.stream(more).boxed().toList()).doesNotContainAnyElementsOf(Arrays.stream(held).boxed().toList());
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }
}
