package dev.raftbench.store.engine;

/** The engine cannot do this at all; said plainly, never faked. */
public final class UnsupportedCapabilityException extends UnsupportedOperationException {
  public UnsupportedCapabilityException(String engine, Capability capability) {
    super(capability + " is not supported by the " + engine + " engine");
  }
}
