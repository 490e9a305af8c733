package dev.raftbench.sofajraft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.remoting.ProtocolCode;
import com.alipay.remoting.ProtocolManager;
import com.alipay.remoting.rpc.protocol.RpcProtocol;
import dev.raftbench.store.client.ShardedKvClient;
import dev.raftbench.store.kv.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

class SofaJRaftBoltConformanceTest extends SofaJRaftConformanceTest {
  @Override
  protected String transport() {
    return "bolt";
  }

  /**
   * Bolt's JVM-wide default pool delivers every reply and every timeout to the client; with its
   * stock queue of 600 a trial with 1,024 operations outstanding overflowed it, and an operation
   * whose timeout was rejected was never answered. The engine's JVM gets a queue that does not
   * overflow (set before Bolt builds the pool), and the bundle says so. Then a burst far above
   * the stock queue: every write is answered and every one reads back.
   */
  @Test
  void boltsDefaultPoolTakesABurstOfOutstandingOperations() throws Exception {
    ShardedKvClient c = start(spec());
    ThreadPoolExecutor pool = (ThreadPoolExecutor) ProtocolManager.getProtocol(ProtocolCode.fromBytes(RpcProtocol.PROTOCOL_CODE))
        .getCommandHandler().getDefaultExecutor();
    assertThat(pool.getQueue().remainingCapacity() + pool.getQueue().size()).isEqualTo(Integer.parseInt(SelectableRpcFactory.BOLT_QUEUE));
    assertThat(SelectableRpcFactory.settings()).containsEntry(SelectableRpcFactory.BOLT_QUEUE_PROPERTY, SelectableRpcFactory.BOLT_QUEUE);

    int burst = 4096;
    List<CompletableFuture<Reply>> writes = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      writes.add(c.put("burst" + i, record("f", "v" + i)));
    }
    for (CompletableFuture<Reply> w : writes) {
      assertThat(await(w)).isEqualTo(Reply.DONE);
    }
    for (int i = 0; i < burst; i += 97) {
      assertThat(await(c.get("burst" + i, List.of()))).isEqualTo(new Reply.Found(record("f", "v" + i)));
    }
  }
}
