package dev.raftbench.sofajraft;

import com.alipay.remoting.CustomSerializerManager;
import com.alipay.sofa.jraft.rpc.RaftRpcFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcResponseFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRaftRpcFactory;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import com.alipay.sofa.jraft.rpc.impl.GrpcRaftRpcFactory;
import com.alipay.sofa.jraft.rpc.impl.GrpcServer;
import com.alipay.sofa.jraft.rpc.impl.MarshallerHelper;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.SPI;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Message;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RPC factory SOFAJRaft finds by SPI (highest priority wins; JRaft asks once per JVM). It hands
 * every call to Bolt's or gRPC's factory, whichever {@link #select} chose: by the system property
 * {@value #PROPERTY} a forked trial JVM is given, or by the first engine started in this JVM.
 *
 * <p>Beyond delegating it does three things the stock factories do not: servers bind 127.0.0.1 on
 * a port the OS picks (port 0), gRPC's 1.3.14 server gets {@code isStarted()} (added to the
 * interface in 1.4, an AbstractMethodError otherwise), and the KV messages ({@link BytesValue})
 * get a serializer on either transport.
 */
@SPI(priority = 1000)
public final class SelectableRpcFactory implements RaftRpcFactory {
  /** System property naming the transport of this JVM: bolt or grpc. */
  public static final String PROPERTY = "raftbench.sofajraft.transport";
  static final List<String> TRANSPORTS = List.of("bolt", "grpc");
  /** Commands are capped at 4 MiB; leave room for a snapshot chunk and headers. */
  private static final int MAX_GRPC_MESSAGE = 16 << 20;

  private static volatile String selected;

  /**
   * Bolt's JVM-wide default pool ({@code bolt.tp.*}) delivers every reply and every timeout to the
   * clients, and JRaft's own replies: with its default queue of 600 it overflowed under 1,024
   * outstanding operations, dropped replies (the client waited out its timeout) and dropped the
   * timeouts of some (never answered at all). A queue that does not overflow at the load a trial
   * makes: set in a trial's or a node's JVM unless the JVM was given its own.
   */
  static final String BOLT_QUEUE_PROPERTY = "bolt.tp.queue";
  static final String BOLT_QUEUE = "65536";

  static {
    if (System.getProperty(BOLT_QUEUE_PROPERTY) == null) {
      System.setProperty(BOLT_QUEUE_PROPERTY, BOLT_QUEUE);
    }
  }

  /** The system properties a JVM of this engine starts with: its transport, and Bolt's pool. */
  static List<String> jvmArgs(String transport) {
    return List.of("-D" + PROPERTY + "=" + transport, "-D" + BOLT_QUEUE_PROPERTY + "=" + BOLT_QUEUE);
  }

  /** What the bundle records of this JVM's transport settings. */
  static Map<String, String> settings() {
    return Map.of(BOLT_QUEUE_PROPERTY, System.getProperty(BOLT_QUEUE_PROPERTY), // set by the static block unless given
        "kv.processor.executor", "the transport's I/O thread (KvProcessor.executor)");
  }

  private final BoltRaftRpcFactory bolt = new BoltRaftRpcFactory();
  /** Created only when gRPC is chosen: its classes stay unloaded on a Bolt JVM. */
  private volatile GrpcRaftRpcFactory grpc;
  /** What JRaft registered before a transport was chosen, replayed into gRPC's factory. */
  private final Map<String, Message> protobufTypes = new ConcurrentHashMap<>();

  /**
   * Fixes this JVM's transport, or checks it matches the one already fixed. The system property,
   * when set, wins over the first caller.
   */
  static synchronized void select(String transport) {
    if (!TRANSPORTS.contains(transport)) {
      throw new IllegalArgumentException("unknown transport '" + transport + "' for engine sofajraft (known: " + String.join(", ", TRANSPORTS) + ")");
    }
    String current = selected();
    if (current == null) {
      selected = transport;
    } else if (!current.equals(transport)) {
      throw new IllegalArgumentException("SOFAJRaft fixes its transport once per JVM and this one uses " + current
          + "; run the " + transport + " trial in its own JVM (harness run --forks 1, the default)");
    }
  }

  private static String selected() {
    if (selected == null) {
      String fromProperty = System.getProperty(PROPERTY);
      if (fromProperty != null && !fromProperty.isBlank()) {
        if (!TRANSPORTS.contains(fromProperty)) {
          throw new IllegalArgumentException("-D" + PROPERTY + "=" + fromProperty + " names no transport (known: " + String.join(", ", TRANSPORTS) + ")");
        }
        selected = fromProperty;
      }
    }
    return selected;
  }

  private boolean useGrpc() {
    String t = selected();
    if (t == null) {
      synchronized (SelectableRpcFactory.class) {
        t = selected();
        if (t == null) {
          selected = t = TRANSPORTS.get(0);
        }
      }
    }
    return t.equals("grpc");
  }

  private GrpcRaftRpcFactory grpc() {
    GrpcRaftRpcFactory g = grpc;
    if (g == null) {
      synchronized (this) {
        g = grpc;
        if (g == null) {
          g = new GrpcRaftRpcFactory();
          protobufTypes.forEach(g::registerProtobufSerializer);
          g.registerProtobufSerializer(BytesValue.class.getName(), BytesValue.getDefaultInstance());
          MarshallerHelper.registerRespInstance(BytesValue.class.getName(), BytesValue.getDefaultInstance());
          grpc = g;
        }
      }
    }
    return g;
  }

  @Override
  public void registerProtobufSerializer(String className, Object... args) {
    // JRaft registers its own messages from a static initializer, possibly before any engine chose
    bolt.registerProtobufSerializer(className, args);
    protobufTypes.put(className, (Message) args[0]);
    GrpcRaftRpcFactory g = grpc;
    if (g != null) {
      g.registerProtobufSerializer(className, args);
    }
  }

  @Override
  public RpcClient createRpcClient(ConfigHelper<RpcClient> helper) {
    if (useGrpc()) {
      return grpc().createRpcClient(helper);
    }
    registerBoltKvSerializer();
    return bolt.createRpcClient(helper);
  }

  @Override
  public RpcServer createRpcServer(Endpoint endpoint, ConfigHelper<RpcServer> helper) {
    RpcServer server;
    if (useGrpc()) {
      GrpcRaftRpcFactory g = grpc();
      MutableHandlerRegistry handlers = new MutableHandlerRegistry();
      Server s = NettyServerBuilder.forAddress(new InetSocketAddress(endpoint.getIp(), endpoint.getPort()))
          .fallbackHandlerRegistry(handlers)
          .directExecutor()
          .maxInboundMessageSize(MAX_GRPC_MESSAGE)
          .build();
      server = new StartTrackingServer(new GrpcServer(s, handlers, protobufTypesWithKv(), g.getMarshallerRegistry()));
    } else {
      registerBoltKvSerializer();
      server = new BoltRpcServer(new com.alipay.remoting.rpc.RpcServer(endpoint.getIp(), endpoint.getPort(), true));
    }
    if (helper != null) {
      helper.config(server);
    }
    return server;
  }

  private Map<String, Message> protobufTypesWithKv() {
    Map<String, Message> m = new ConcurrentHashMap<>(protobufTypes);
    m.put(BytesValue.class.getName(), BytesValue.getDefaultInstance());
    return m;
  }

  private static void registerBoltKvSerializer() {
    if (CustomSerializerManager.getCustomSerializer(BytesValue.class.getName()) == null) {
      CustomSerializerManager.registerCustomSerializer(BytesValue.class.getName(), BytesValueBoltSerializer.INSTANCE);
    }
  }

  @Override
  public RpcResponseFactory getRpcResponseFactory() {
    return useGrpc() ? grpc().getRpcResponseFactory() : bolt.getRpcResponseFactory();
  }

  @Override
  public boolean isReplicatorPipelineEnabled() {
    return useGrpc() ? grpc().isReplicatorPipelineEnabled() : bolt.isReplicatorPipelineEnabled();
  }

  @Override
  public void ensurePipeline() {
    if (useGrpc()) {
      grpc().ensurePipeline();
    } else {
      bolt.ensurePipeline();
    }
  }

  /** gRPC's 1.3.14 server with the {@code isStarted()} JRaft 1.4 asks for. */
  private static final class StartTrackingServer implements RpcServer {
    private final GrpcServer delegate;
    private volatile boolean started;

    StartTrackingServer(GrpcServer delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean init(Void opts) {
      started = delegate.init(opts);
      return started;
    }

    @Override
    public void shutdown() {
      started = false;
      delegate.shutdown();
    }

    @Override
    public void registerConnectionClosedEventListener(com.alipay.sofa.jraft.rpc.impl.ConnectionClosedEventListener listener) {
      delegate.registerConnectionClosedEventListener(listener);
    }

    @Override
    public void registerProcessor(com.alipay.sofa.jraft.rpc.RpcProcessor<?> processor) {
      delegate.registerProcessor(processor);
    }

    @Override
    public int boundPort() {
      return delegate.boundPort();
    }

    @Override
    public boolean isStarted() {
      return started;
    }
  }
}
