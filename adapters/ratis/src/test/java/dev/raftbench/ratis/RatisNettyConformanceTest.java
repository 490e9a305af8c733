package dev.raftbench.ratis;

class RatisNettyConformanceTest extends RatisConformanceTest {
  @Override
  protected String transport() {
    return "netty";
  }
}
