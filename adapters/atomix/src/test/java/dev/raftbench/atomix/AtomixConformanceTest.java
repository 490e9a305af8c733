package dev.raftbench.atomix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftbench.store.conformance.EngineConformanceSuite;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import dev.raftbench.store.engine.LogStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The conformance suite on Atomix: disk storage (MAPPED), since Atomix has no safe memory log. */
class AtomixConformanceTest extends EngineConformanceSuite {
  @Override
  protected EngineProvider provider() {
    return new AtomixEngineProvider();
  }

  @Override
  protected EngineSpec spec() {
    return super.spec().withLog(LogStorage.DISK);
  }

  /** Small segments, so that a snapshot lets the others delete the segment a stopped member stopped in. */
  @Override
  protected Map<String, String> compactionOptions() {
    return Map.of("segment.size", String.valueOf(16 * 1024), "max.entry.size", String.valueOf(8 * 1024));
  }

  @Override
  protected void compact(Engine engine, int shard) {
    ((AtomixEngine) engine).snapshot(shard);
  }

  /**
   * The entries the member missed began in the partition's first log segment ({@code <name>-1.log});
   * no other member keeps that segment after compaction, so the member can only have caught up
   * from a snapshot, which it now holds as a {@code .snapshot} file.
   */
  @Override
  protected void assertInstalledSnapshot(Engine engine, String node, int shard) {
    AtomixEngine atomix = (AtomixEngine) engine;
    for (String other : engine.members(shard)) {
      if (!other.equals(node)) {
        assertThat(files(atomix.partitionDir(other, shard))).as("log files of " + other).noneMatch(f -> f.endsWith("-1.log"));
      }
    }
    assertThat(files(atomix.partitionDir(node, shard))).as("files of " + node).anyMatch(f -> f.endsWith(".snapshot"));
  }

  private static List<String> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
