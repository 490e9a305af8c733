package dev.raftbench.store.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RecordTest {
  private static Record rec(String... kv) {
    TreeMap<String, byte[]> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return Record.of(m);
  }

  @Test
  void mergeKeepsOrderAndLetsTheUpdateWin() {
    Record base = rec("a", "1", "c", "3", "e", "5");
    assertThat(base.merge(rec("b", "x", "c", "y", "f", "z"))).isEqualTo(rec("a", "1", "b", "x", "c", "y", "e", "5", "f", "z"));
    assertThat(base.merge(rec("a", "9"))).isEqualTo(rec("a", "9", "c", "3", "e", "5"));
    assertThat(base.merge(Record.empty())).isSameAs(base);
    assertThat(Record.empty().merge(base)).isSameAs(base);
    assertThat(rec("field10", "p", "field2", "q").merge(rec("field1", "r"))).isEqualTo(rec("field1", "r", "field10", "p", "field2", "q"));
  }

  @Test
  void ofSortedRefusesUnsortedOrMismatchedArrays() {
    assertThat(Record.ofSorted(new String[] {"a", "b"}, new byte[][] {{1}, {2}})).isEqualTo(rec("a", "\u0001", "b", "\u0002"));
    assertThatThrownBy(() -> Record.ofSorted(new String[] {"b", "a"}, new byte[][] {{1}, {2}})).hasMessageContaining("ascending");
    assertThatThrownBy(() -> Record.ofSorted(new String[] {"a"}, new byte[][] {{1}, {2}})).hasMessageContaining("1 names but 2 values");
  }
}
