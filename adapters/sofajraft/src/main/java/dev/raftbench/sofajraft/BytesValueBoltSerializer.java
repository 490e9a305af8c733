package dev.raftbench.sofajraft;

import com.alipay.remoting.CustomSerializer;
import com.alipay.remoting.DefaultCustomSerializer;
import com.alipay.remoting.InvokeContext;
import com.alipay.remoting.exception.DeserializationException;
import com.alipay.remoting.rpc.RequestCommand;
import com.alipay.remoting.rpc.ResponseCommand;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.rpc.protocol.RpcResponseCommand;
import com.google.protobuf.BytesValue;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Bolt's serializer for the KV messages: JRaft's own protobuf serializer only parses the message
 * types of its raft.desc.
 */
final class BytesValueBoltSerializer extends DefaultCustomSerializer {
  static final CustomSerializer INSTANCE = new BytesValueBoltSerializer();

  @Override
  public <T extends RequestCommand> boolean serializeContent(T request, InvokeContext invokeContext) {
    RpcRequestCommand cmd = (RpcRequestCommand) request;
    cmd.setContent(((BytesValue) cmd.getRequestObject()).toByteArray());
    return true;
  }

  @Override
  public <T extends ResponseCommand> boolean serializeContent(T response) {
    RpcResponseCommand cmd = (RpcResponseCommand) response;
    cmd.setContent(((BytesValue) cmd.getResponseObject()).toByteArray());
    return true;
  }

  @Override
  public <T extends RequestCommand> boolean deserializeContent(T request) throws DeserializationException {
    RpcRequestCommand cmd = (RpcRequestCommand) request;
    cmd.setRequestObject(parse(cmd.getContent()));
    return true;
  }

  @Override
  public <T extends ResponseCommand> boolean deserializeContent(T response, InvokeContext invokeContext) throws DeserializationException {
    RpcResponseCommand cmd = (RpcResponseCommand) response;
    cmd.setResponseObject(parse(cmd.getContent()));
    return true;
  }

  private static BytesValue parse(byte[] content) throws DeserializationException {
    try {
      return BytesValue.parseFrom(content);
    } catch (InvalidProtocolBufferException e) {
      throw new DeserializationException("bad KV message: " + e.getMessage(), e);
    }
  }
}
