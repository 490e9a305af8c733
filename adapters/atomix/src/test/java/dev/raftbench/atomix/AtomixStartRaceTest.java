package dev.raftbench.atomix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Which start failures are Atomix's SWIM start-up race (started again) and which are not (reported). */
class AtomixStartRaceTest {
  @Test
  void aNullPointerFromSwimMembershipIsTheRace() {
    NullPointerException npe = new NullPointerException("Cannot invoke \"SwimMember.getState()\" because \"member\" is null");
    npe.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.atomix.cluster.protocol.SwimMembershipProtocol", "getMember", "SwimMembershipProtocol.java", 171),
        new StackTraceElement("io.atomix.primitive.partition.impl.DefaultPartitionGroupMembershipService", "updatePartitionGroups", null, 261)});
    assertThat(AtomixEngine.swimRace(new ExecutionException(new CompletionException(npe)))).isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    NullPointerException elsewhere = new NullPointerException("x");
    elsewhere.setStackTrace(new StackTraceElement[] {new StackTraceElement("io.atomix.core.Atomix", "start", null, 1)});
    assertThat(AtomixEngine.swimRace(new ExecutionException(elsewhere))).isFalse();
    assertThat(AtomixEngine.swimRace(new java.util.concurrent.TimeoutException())).isFalse();
  }
}
