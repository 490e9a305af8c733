package dev.raftbench.sofajraft;

import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Raft log in memory, for {@code --log memory} (SOFAJRaft ships only RocksDB and its own file
 * log). Same contract as RocksDBLogStorage: an empty log starts at index 1, {@link #reset} leaves
 * one entry at the next index, and snapshots truncate the prefix so memory stays bounded.
 */
final class MemoryLogStorage implements LogStorage {
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final NavigableMap<Long, LogEntry> entries = new TreeMap<>();
  private long firstIndex = 1;

  @Override
  public boolean init(LogStorageOptions opts) {
    return true;
  }

  @Override
  public void shutdown() {
    lock.writeLock().lock();
    try {
      entries.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long getFirstLogIndex() {
    lock.readLock().lock();
    try {
      return entries.isEmpty() ? firstIndex : entries.firstKey();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long getLastLogIndex() {
    lock.readLock().lock();
    try {
      return entries.isEmpty() ? firstIndex - 1 : entries.lastKey();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public LogEntry getEntry(long index) {
    lock.readLock().lock();
    try {
      return entries.get(index);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Deprecated in the interface, still called by JRaft's LogManager. */
  @Override
  @SuppressWarnings("deprecation")
  public long getTerm(long index) {
    LogEntry e = getEntry(index);
    return e == null ? 0 : e.getId().getTerm();
  }

  @Override
  public boolean appendEntry(LogEntry entry) {
    lock.writeLock().lock();
    try {
      entries.put(entry.getId().getIndex(), entry);
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public int appendEntries(List<LogEntry> batch) {
    if (batch == null || batch.isEmpty()) {
      return 0;
    }
    lock.writeLock().lock();
    try {
      for (LogEntry e : batch) {
        entries.put(e.getId().getIndex(), e);
      }
      return batch.size();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public boolean truncatePrefix(long firstIndexKept) {
    lock.writeLock().lock();
    try {
      entries.headMap(firstIndexKept, false).clear();
      firstIndex = Math.max(firstIndex, firstIndexKept);
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public boolean truncateSuffix(long lastIndexKept) {
    lock.writeLock().lock();
    try {
      entries.tailMap(lastIndexKept, false).clear();
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public boolean reset(long nextLogIndex) {
    if (nextLogIndex <= 0) {
      throw new IllegalArgumentException("invalid next log index " + nextLogIndex);
    }
    lock.writeLock().lock();
    try {
      LogEntry keep = entries.get(nextLogIndex);
      entries.clear();
      firstIndex = nextLogIndex;
      if (keep == null) {
        keep = new LogEntry(EnumOutter.EntryType.ENTRY_TYPE_NO_OP);
        keep.setId(new LogId(nextLogIndex, 0));
      }
      entries.put(nextLogIndex, keep);
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
