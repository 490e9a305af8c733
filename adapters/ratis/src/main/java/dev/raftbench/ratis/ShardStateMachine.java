package dev.raftbench.ratis;

import dev.raftbench.store.kv.KvStateMachine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.LoggerFactory;

/**
 * One shard's {@link KvStateMachine} as a Ratis state machine: log entries are encoded writes,
 * queries are encoded reads, and snapshots are the state machine's own stream in a single file
 * with an MD5 beside it (what Ratis sends to a member that fell behind a purged log).
 */
final class ShardStateMachine extends BaseStateMachine {
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final KvStateMachine kv = new KvStateMachine();
  private final AtomicInteger snapshotsInstalled = new AtomicInteger();

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      storage.init(raftStorage);
      load(storage.loadLatestSnapshot());
    });
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** Ratis pauses the state machine before it replaces its snapshot files with the leader's. */
  @Override
  public void pause() {
    if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /** Called after a snapshot was installed from the leader: load it, then run again. */
  @Override
  public void reinitialize() throws IOException {
    load(storage.loadLatestSnapshot());
    snapshotsInstalled.incrementAndGet();
    // a node JVM of its own (--cluster processes) has only its log to tell of it
    LoggerFactory.getLogger(ShardStateMachine.class).info("installed a snapshot from the leader: group {}, index {}",
        getGroupId(), getLastAppliedTermIndex().getIndex());
    if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  private void load(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    Path path = snapshot.getFile().getPath();
    if (!Files.exists(path)) {
      throw new IOException("snapshot file " + path + " is missing");
    }
    MD5Hash md5 = snapshot.getFile().getFileDigest();
    if (md5 != null) {
      MD5FileUtil.verifySavedMD5(path.toFile(), md5);
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      kv.restore(in);
    }
    setLastAppliedTermIndex(snapshot.getTermIndex());
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      kv.snapshot(out);
    }
    Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    return last.getIndex();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    TermIndex index = TermIndex.valueOf(entry);
    try {
      byte[] reply = kv.execute(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    } catch (RuntimeException e) {
      // deterministic on every replica: the entry is consumed, the client told why
      return CompletableFuture.failedFuture(e);
    } finally {
      updateLastAppliedTermIndex(index);
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      byte[] reply = kv.query(request.getContent().asReadOnlyByteBuffer());
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  int snapshotsInstalled() {
    return snapshotsInstalled.get();
  }
}
