package dev.raftbench.sofajraft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.google.protobuf.BytesValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The KV endpoint on one node's RPC server, shared by every shard group on it. Writes go through
 * the shard's log (a follower answers with the leader's address); reads wait for ReadIndex (or the
 * lease) unless the cluster reads stale; local reads answer from this replica at once.
 */
final class KvProcessor implements RpcProcessor<BytesValue> {
  private static final byte[] NO_CONTEXT = new byte[0];

  /** This node's replicas by shard; replicas come and go with stops and membership changes. */
  private final Map<Integer, Replica> replicas;
  private final boolean staleReads;
  /** The node JVM's own replicas ({@code --cluster processes}); null in the engine's JVM, which starts them itself. */
  private final Host host;

  record Replica(Node node, ShardFsm fsm) {}

  /** What a node JVM does when the engine moves a shard onto or off it. */
  interface Host {
    void startReplica(int shard, String configuration) throws java.io.IOException;

    void dropReplica(int shard);
  }

  KvProcessor(Map<Integer, Replica> replicas, boolean staleReads, Host host) {
    this.replicas = replicas;
    this.staleReads = staleReads;
    this.host = host;
  }

  @Override
  public String interest() {
    return BytesValue.class.getName();
  }

  /**
   * Requests are handled on the transport's own I/O thread: a write or a read only hands its
   * command to the node ({@code apply} and {@code readIndex} queue it and return), so a pool in
   * between costs a thread hand-off an operation. And without an executor of its own, Bolt runs
   * a processor on its JVM-wide default pool (at most 600 queued), which also delivers every reply
   * and every timeout to the clients: with 1,024 operations outstanding it overflowed, requests and
   * replies were dropped (the client waited out its 10 s timeout) and an operation whose timeout was
   * dropped was never answered at all. Replica administration blocks, and runs on a thread of its own.
   */
  @Override
  public Executor executor() {
    return Runnable::run;
  }

  @Override
  public void handleRequest(RpcContext ctx, BytesValue request) {
    int shard;
    byte kind;
    try {
      kind = KvWire.kind(request);
      shard = KvWire.shard(request);
    } catch (RuntimeException e) {
      ctx.sendResponse(KvWire.response(KvWire.REFUSED, "malformed KV request: " + e));
      return;
    }
    if (kind == KvWire.START_REPLICA || kind == KvWire.DROP_REPLICA) {
      Thread t = new Thread(() -> administer(ctx, kind, shard, request), "raftbench-administer-shard-" + shard);
      t.setDaemon(true);
      t.start();
      return;
    }
    Replica replica = replicas.get(shard);
    if (replica == null) {
      ctx.sendResponse(KvWire.response(KvWire.UNAVAILABLE, "shard " + shard + " has no replica on this node"));
      return;
    }
    try {
      switch (kind) {
        case KvWire.WRITE -> write(ctx, replica, request);
        case KvWire.READ -> {
          ByteBuffer read = KvWire.command(request);
          if (staleReads) {
            ctx.sendResponse(KvWire.response(KvWire.OK, replica.fsm().query(read)));
          } else {
            linearizableRead(ctx, replica, read);
          }
        }
        case KvWire.LOCAL_READ -> ctx.sendResponse(KvWire.response(KvWire.OK, replica.fsm().query(KvWire.command(request))));
        default -> ctx.sendResponse(KvWire.response(KvWire.REFUSED, "unknown KV request kind " + kind));
      }
    } catch (IllegalArgumentException refused) {
      ctx.sendResponse(KvWire.response(KvWire.REFUSED, String.valueOf(refused.getMessage())));
    } catch (RuntimeException e) { // e.g. the node shutting down: the client may try again
      ctx.sendResponse(KvWire.response(KvWire.UNAVAILABLE, "shard " + shard + ": " + e));
    }
  }

  private void administer(RpcContext ctx, byte kind, int shard, BytesValue request) {
    if (host == null) {
      ctx.sendResponse(KvWire.response(KvWire.REFUSED, "this node is not a process of its own: nothing to administer"));
      return;
    }
    try {
      if (kind == KvWire.START_REPLICA) {
        if (replicas.containsKey(shard)) {
          ctx.sendResponse(KvWire.response(KvWire.REFUSED, "this node already holds shard " + shard));
          return;
        }
        ByteBuffer conf = KvWire.command(request);
        byte[] text = new byte[conf.remaining()];
        conf.get(text);
        host.startReplica(shard, new String(text, StandardCharsets.UTF_8));
      } else {
        host.dropReplica(shard);
      }
      ctx.sendResponse(KvWire.response(KvWire.OK, new byte[0]));
    } catch (java.io.IOException | RuntimeException e) {
      ctx.sendResponse(KvWire.response(KvWire.UNAVAILABLE, "shard " + shard + ": " + e));
    }
  }

  private static void write(RpcContext ctx, Replica replica, BytesValue request) {
    Node node = replica.node();
    node.apply(new Task(KvWire.commandCopy(request), new ShardFsm.WriteDone() {
      private byte[] reply;
      private RuntimeException refused;

      @Override
      void applied(byte[] r, RuntimeException e) {
        reply = r;
        refused = e;
      }

      @Override
      public void run(Status status) {
        if (!status.isOk()) {
          ctx.sendResponse(failure(node, status));
        } else if (refused != null) {
          ctx.sendResponse(KvWire.response(KvWire.REFUSED, String.valueOf(refused.getMessage())));
        } else {
          ctx.sendResponse(KvWire.response(KvWire.OK, reply));
        }
      }
    }));
  }

  private static void linearizableRead(RpcContext ctx, Replica replica, ByteBuffer read) {
    Node node = replica.node();
    node.readIndex(NO_CONTEXT, new ReadIndexClosure() {
      @Override
      public void run(Status status, long index, byte[] reqCtx) {
        if (status.isOk()) {
          byte[] reply;
          try {
            reply = replica.fsm().query(read);
          } catch (IllegalArgumentException refused) {
            ctx.sendResponse(KvWire.response(KvWire.REFUSED, String.valueOf(refused.getMessage())));
            return;
          }
          ctx.sendResponse(KvWire.response(KvWire.OK, reply));
        } else {
          ctx.sendResponse(failure(node, status));
        }
      }
    });
  }

  /** Not the leader: say who is, if known; anything else may pass if tried again. */
  private static BytesValue failure(Node node, Status status) {
    if (status.getRaftError() == RaftError.EPERM) {
      PeerId leader = node.getLeaderId();
      String hint = leader == null || leader.isEmpty() ? "" : leader.getEndpoint().toString();
      return KvWire.response(KvWire.NOT_LEADER, hint);
    }
    return KvWire.response(KvWire.UNAVAILABLE, status.toString());
  }
}
