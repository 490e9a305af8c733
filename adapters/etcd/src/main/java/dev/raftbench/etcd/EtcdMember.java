package dev.raftbench.etcd;

import dev.raftbench.store.engine.ChildProcess;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One etcd member of one shard's cluster, living on one node: a child process (none for a member
 * of a cluster given by endpoints). Its data stays in {@code dir/data} across a kill and restart;
 * its output goes to {@code dir/etcd.log}.
 */
final class EtcdMember {
  final String node;
  final int shard;
  final URI clientUrl;
  final Path dir;
  /** Null for a member of a cluster the user runs. */
  final ChildProcess process;

  EtcdMember(String node, int shard, URI clientUrl, Path dir, List<String> command) {
    this.node = node;
    this.shard = shard;
    this.clientUrl = clientUrl;
    this.dir = dir;
    this.process = dir == null ? null : new ChildProcess(toString(), command, dir.resolve("etcd.log"));
  }

  boolean ours() {
    return process != null;
  }

  Path log() {
    return process.log();
  }

  @Override
  public String toString() {
    return node + "/shard-" + shard + " (" + clientUrl + ")";
  }
}
