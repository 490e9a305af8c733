package dev.raftbench.sofajraft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import dev.raftbench.store.kv.KvStateMachine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of one shard: the shared {@link KvStateMachine} under SOFAJRaft. Log entries are
 * encoded writes; a snapshot is the state machine's own stream in one file.
 */
final class ShardFsm extends StateMachineAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ShardFsm.class);
  static final String SNAPSHOT_FILE = "kv.snapshot";

  private final KvStateMachine kv = new KvStateMachine();
  private final AtomicInteger snapshotsInstalled = new AtomicInteger();
  /** Set once the node finished booting: a snapshot loaded after that came from a leader. */
  private volatile boolean running;

  /** The leader's callback for one proposed write; the apply thread completes it with the reply. */
  abstract static class WriteDone implements Closure {
    /** The state machine's encoded reply, or the reason it refused the command. */
    abstract void applied(byte[] reply, RuntimeException refused);
  }

  @Override
  public void onApply(Iterator it) {
    while (it.hasNext()) {
      byte[] reply = null;
      RuntimeException refused = null;
      try {
        // a view: the entry's own buffer is read again to replicate it (e.g. to a new member)
        reply = kv.execute(it.getData().duplicate());
      } catch (RuntimeException e) {
        // deterministic on every replica: the entry is consumed, the client told why
        refused = e;
      }
      Closure done = it.done();
      if (done instanceof WriteDone w) {
        w.applied(reply, refused);
        w.run(Status.OK());
      }
      it.next();
    }
  }

  /** An encoded read, its epoch checked ({@link KvStateMachine#query}); the encoded reply. */
  byte[] query(java.nio.ByteBuffer read) {
    return kv.query(read);
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    Path file = Path.of(writer.getPath(), SNAPSHOT_FILE);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      kv.snapshot(out);
    } catch (IOException e) {
      done.run(new Status(RaftError.EIO, "writing snapshot %s failed: %s", file, e.getMessage()));
      return;
    }
    if (writer.addFile(SNAPSHOT_FILE)) {
      done.run(Status.OK());
    } else {
      done.run(new Status(RaftError.EIO, "could not add %s to the snapshot", SNAPSHOT_FILE));
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    if (reader.getFileMeta(SNAPSHOT_FILE) == null) {
      LOG.error("snapshot at {} has no {}", reader.getPath(), SNAPSHOT_FILE);
      return false;
    }
    Path file = Path.of(reader.getPath(), SNAPSHOT_FILE);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      kv.restore(in);
    } catch (IOException | RuntimeException e) {
      LOG.error("loading snapshot {} failed", file, e);
      return false;
    }
    if (running) {
      snapshotsInstalled.incrementAndGet();
      // a node JVM of its own (--cluster processes) has only its log to tell of it
      LOG.info("installed a snapshot from the leader: {}", reader.getPath());
    }
    return true;
  }

  void markRunning() {
    running = true;
  }

  int snapshotsInstalled() {
    return snapshotsInstalled.get();
  }
}
