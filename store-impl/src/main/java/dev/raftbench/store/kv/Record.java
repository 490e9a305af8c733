package dev.raftbench.store.kv;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable record: named fields (sorted by name) holding byte values, as YCSB models a row.
 * Field value arrays are shared, never copied on read: callers must not modify them.
 */
public final class Record {
  private static final Record EMPTY = new Record(new String[0], new byte[0][]);

  private final String[] names;
  private final byte[][] values;

  private Record(String[] names, byte[][] values) {
    this.names = names;
    this.values = values;
  }

  public static Record empty() {
    return EMPTY;
  }

  /** A record of the given fields; the map is copied, the byte arrays are not. */
  public static Record of(Map<String, byte[]> fields) {
    if (fields.isEmpty()) {
      return EMPTY;
    }
    SortedMap<String, byte[]> sorted = fields instanceof SortedMap<String, byte[]> s && s.comparator() == null
        ? s : new TreeMap<>(fields);
    String[] n = new String[sorted.size()];
    byte[][] v = new byte[sorted.size()][];
    int i = 0;
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new IllegalArgumentException("field name must not be empty");
      }
      n[i] = e.getKey();
      v[i] = java.util.Objects.requireNonNull(e.getValue(), "value of field " + e.getKey());
      i++;
    }
    return new Record(n, v);
  }

  /**
   * A record from parallel arrays whose names are strictly ascending (checked); the arrays are
   * taken as they are, not copied: the cheap way for a generator that knows its field order.
   */
  public static Record ofSorted(String[] names, byte[][] values) {
    if (names.length != values.length) {
      throw new IllegalArgumentException(names.length + " names but " + values.length + " values");
    }
    for (int i = 1; i < names.length; i++) {
      if (names[i - 1].compareTo(names[i]) >= 0) {
        throw new CodecException("record fields not in strictly ascending order: " + names[i - 1] + ", " + names[i]);
      }
    }
    return names.length == 0 ? EMPTY : new Record(names, values);
  }

  public int size() {
    return names.length;
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  public String name(int i) {
    return names[i];
  }

  public byte[] value(int i) {
    return values[i];
  }

  /** The value of the field, or null. */
  public byte[] get(String field) {
    int i = Arrays.binarySearch(names, field);
    return i >= 0 ? values[i] : null;
  }

  /** This record with the fields of {@code update} added or replaced. */
  public Record merge(Record update) {
    if (update.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return update;
    }
    // both sides sorted: one merge pass, the update winning on equal names
    String[] n = new String[names.length + update.names.length];
    byte[][] v = new byte[n.length][];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < names.length || j < update.names.length) {
      int c = i == names.length ? 1 : j == update.names.length ? -1 : names[i].compareTo(update.names[j]);
      if (c < 0) {
        n[k] = names[i];
        v[k++] = values[i++];
      } else {
        if (c == 0) {
          i++;
        }
        n[k] = update.names[j];
        v[k++] = update.values[j++];
      }
    }
    return new Record(k == n.length ? n : Arrays.copyOf(n, k), k == v.length ? v : Arrays.copyOf(v, k));
  }

  /** Only the named fields (those present); an empty selection means every field. */
  public Record select(Collection<String> fields) {
    if (fields.isEmpty() || isEmpty()) {
      return this;
    }
    TreeMap<String, byte[]> m = new TreeMap<>();
    for (String f : fields) {
      byte[] v = get(f);
      if (v != null) {
        m.put(f, v);
      }
    }
    return m.size() == names.length ? this : of(m);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Record r) || r.names.length != names.length) {
      return false;
    }
    return Arrays.equals(names, r.names) && Arrays.deepEquals(values, r.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(names) + Arrays.deepHashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Record{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(names[i]).append('=').append(values[i].length).append('B');
    }
    return sb.append('}').toString();
  }
}
