package dev.raftbench.sofajraft;

import com.google.protobuf.BytesValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The KV messages on JRaft's RPC server, one {@link BytesValue} each way (gRPC needs protobuf;
 * Bolt gets a serializer for it). Request: kind, shard, the command as {@link
 * dev.raftbench.store.kv.Codec} encodes it. Response: status, then the encoded reply, the leader's
 * address or a message.
 */
final class KvWire {
  static final byte WRITE = 1;
  /** At the cluster's read consistency (ReadIndex unless stale). */
  static final byte READ = 2;
  /** From this replica's own state, no check: for inspecting replicas. */
  static final byte LOCAL_READ = 3;
  /**
   * To a node JVM ({@code --cluster processes}): start a replica of the shard; the payload is its
   * first configuration as host:port,... (empty: wait to hear from the leader, as a newcomer does).
   */
  static final byte START_REPLICA = 4;
  /** To a node JVM: stop the node's replica of the shard and delete its data. */
  static final byte DROP_REPLICA = 5;

  static final byte OK = 0;
  /** Payload: the leader's address as host:port, or empty when none is known. */
  static final byte NOT_LEADER = 1;
  /** The state machine refused the command: the same answer every time. */
  static final byte REFUSED = 2;
  /** No answer now (no leader, shutting down, shard not here): may succeed if sent again. */
  static final byte UNAVAILABLE = 3;

  private static final int HEADER = 5;

  private KvWire() {}

  static BytesValue request(byte kind, int shard, byte[] command) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + command.length);
    b.put(kind).putInt(shard).put(command);
    return BytesValue.newBuilder().setValue(UnsafeByteOperations.unsafeWrap(b.array())).build();
  }

  static byte kind(BytesValue request) {
    return request.getValue().byteAt(0);
  }

  static int shard(BytesValue request) {
    ByteString v = request.getValue();
    return (v.byteAt(1) & 0xFF) << 24 | (v.byteAt(2) & 0xFF) << 16 | (v.byteAt(3) & 0xFF) << 8 | (v.byteAt(4) & 0xFF);
  }

  /** The encoded command as a buffer the log can keep (a copy: the request's bytes belong to the RPC layer). */
  static ByteBuffer commandCopy(BytesValue request) {
    return ByteBuffer.wrap(request.getValue().substring(HEADER).toByteArray()); // substring is a view: one copy
  }

  /** The encoded command, without copying. */
  static ByteBuffer command(BytesValue request) {
    return request.getValue().substring(HEADER).asReadOnlyByteBuffer();
  }

  static BytesValue response(byte status, byte[] payload) {
    byte[] b = new byte[1 + payload.length];
    b[0] = status;
    System.arraycopy(payload, 0, b, 1, payload.length);
    return BytesValue.newBuilder().setValue(UnsafeByteOperations.unsafeWrap(b)).build();
  }

  static BytesValue response(byte status, String message) {
    return response(status, message.getBytes(StandardCharsets.UTF_8));
  }

  static byte status(BytesValue response) {
    return response.getValue().byteAt(0);
  }

  static ByteBuffer payload(BytesValue response) {
    return response.getValue().substring(1).asReadOnlyByteBuffer();
  }

  static String text(BytesValue response) {
    ByteString s = response.getValue().substring(1);
    return s.toStringUtf8();
  }
}
