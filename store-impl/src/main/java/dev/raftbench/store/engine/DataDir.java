package dev.raftbench.store.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where an engine keeps its disk state: the user's {@code --data-dir}, which must be new or empty
 * (servers recover whatever they find there, so a used one would mix two clusters), or a fresh
 * temporary directory that the engine owns and {@link #close} removes.
 */
public final class DataDir implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DataDir.class.getName());

  private final Path path;
  private final boolean owned;

  private DataDir(Path path, boolean owned) {
    this.path = path;
    this.owned = owned;
  }

  /** The spec's data directory (refused when not empty), or a temporary one named after the engine. */
  public static DataDir of(EngineSpec spec, String engine) throws IOException {
    Path given = spec.dataDir();
    if (given == null) {
      return new DataDir(Files.createTempDirectory("raftbench-" + engine + "-"), true);
    }
    if (Files.isDirectory(given)) {
      try (Stream<Path> entries = Files.list(given)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("data directory " + given + " is not empty; give an empty or new one");
        }
      }
    }
    return new DataDir(Files.createDirectories(given), false);
  }

  public Path path() {
    return path;
  }

  /** Removes the directory if the engine made it; the user's is left as the run left it. */
  @Override
  public void close() {
    if (owned) {
      deleteRecursively(path);
    }
  }

  /**
   * The bytes of every regular file under {@code dir} (0 if it does not exist); files that vanish
   * while it is walked (a log segment rolled, a snapshot replaced) are skipped.
   */
  public static long bytes(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    long[] total = {0};
    try {
      Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total[0] += attrs.size();
          }
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not size " + dir + ": " + e);
    }
    return total[0];
  }

  /** Deletes a directory tree, logging (not throwing) what could not be deleted. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.log(System.Logger.Level.WARNING, "could not delete " + p + ": " + e);
        }
      });
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not delete " + dir + ": " + e);
    }
  }
}
