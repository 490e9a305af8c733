package dev.raftbench.store.kv;

/** Bytes that are not a valid encoding, or a value the codec refuses to encode. */
public final class CodecException extends IllegalArgumentException {
  public CodecException(String message) {
    super(message);
  }
}
