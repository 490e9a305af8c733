package dev.raftbench.store.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for servers that must be told their port before they bind it (Atomix
 * advertises the port it binds; etcd members and node processes are named in each other's
 * configuration). The kernel's port 0 is no good for that: it hands out ports from the ephemeral
 * range, where any outgoing connection on the machine may take the port between our pick and the
 * server's bind (seen: "Address already in use" in CI). So ports are drawn at random from below
 * the ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), which no outgoing
 * connection and no port-0 server uses, and each is checked bindable before it is handed out.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private FreePorts() {}

  /** {@code count} distinct ports that were free a moment ago. */
  public static int[] pick(int count) throws IOException {
    int below = ephemeralStart();
    Set<Integer> picked = new LinkedHashSet<>();
    int tries = 0;
    while (picked.size() < count) {
      if (++tries > 100 * count + 1000) {
        throw new IOException("no " + count + " free ports found between " + LOWEST + " and " + below + " on 127.0.0.1");
      }
      int port = below > LOWEST + 1000 ? ThreadLocalRandom.current().nextInt(LOWEST, below) : kernelPick();
      if (!picked.contains(port) && bindable(port)) {
        picked.add(port);
      }
    }
    return picked.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The first port of the kernel's ephemeral range (package-private for tests); 0 when unknown. */
  static int ephemeralStart() {
    // a reader, not Files.readString: a /proc file may report a size smaller than its content
    try (BufferedReader r = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException notLinux) {
      return 0; // no range known: let the kernel pick
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int kernelPick() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
