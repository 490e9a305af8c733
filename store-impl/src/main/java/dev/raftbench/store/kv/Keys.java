package dev.raftbench.store.kv;

import java.nio.charset.StandardCharsets;

/** The rules every key obeys, checked where a command is made. */
public final class Keys {
  /** Longest key accepted, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 4096;

  private Keys() {}

  public static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("empty key");
    }
    if (key.length() > MAX_KEY_BYTES / 3 && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key longer than " + MAX_KEY_BYTES + " bytes");
    }
    return key;
  }
}
