package dev.raftbench.store.local;

import dev.raftbench.store.engine.Capability;
import dev.raftbench.store.engine.Engine;
import dev.raftbench.store.engine.EngineProvider;
import dev.raftbench.store.engine.EngineSpec;
import java.util.List;
import java.util.Set;

/**
 * A server of known behaviour, for calibrating the harness: every request is served by one of a
 * fixed number of servers after a delay drawn from a configured distribution, and the servers can
 * all stall at a set moment. What the harness reports on it can be checked against that truth.
 *
 * <p>Options: {@code -E latency=fixed:1ms} (or {@code uniform:1ms:3ms},
 * {@code lognormal:MEDIAN:SIGMA}), {@code -E servers=64}, {@code -E stall=10s:2s} (10 s into the
 * measured phase, for 2 s), {@code -E seed=1}.
 */
public final class SyntheticEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "synthetic";
  }

  @Override
  public String description() {
    return "answers after a configured delay from a pool of servers, can stall (calibration; -E latency=fixed:1ms|uniform:A:B|lognormal:MEDIAN:SIGMA,"
        + " servers=64, stall=AT:FOR, seed=N)";
  }

  @Override
  public List<String> transports() {
    return List.of("inproc");
  }

  @Override
  public boolean storesData() {
    return false;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public void validate(EngineSpec spec) {
    SyntheticEngine.Settings.parse(spec.options());
  }

  @Override
  public Engine start(EngineSpec spec) {
    return new SyntheticEngine(spec.shards(), SyntheticEngine.Settings.parse(spec.options()));
  }
}
