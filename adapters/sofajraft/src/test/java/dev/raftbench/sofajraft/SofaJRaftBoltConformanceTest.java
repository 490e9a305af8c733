package dev.raftbench.sofajraft;

class SofaJRaftBoltConformanceTest extends SofaJRaftConformanceTest {
  @Override
  protected String transport() {
    return "bolt";
  }
}
