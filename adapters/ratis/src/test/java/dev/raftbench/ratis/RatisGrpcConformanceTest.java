package dev.raftbench.ratis;

class RatisGrpcConformanceTest extends RatisConformanceTest {
  @Override
  protected String transport() {
    return "grpc";
  }
}
