package dev.raftbench.sofajraft;

class SofaJRaftGrpcConformanceTest extends SofaJRaftConformanceTest {
  @Override
  protected String transport() {
    return "grpc";
  }
}
