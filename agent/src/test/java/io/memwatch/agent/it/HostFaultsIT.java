package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.HostileHostApp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A host that runs out of heap or is stopped while memwatch samples: it dies exactly as it would
 * without memwatch, exit status included, and memwatch serves its last figures while it can. Each
 * test runs the host with and without the agent side by side.
 */
class HostFaultsIT {
  @Test
  void aHostWhoseMainRunsOutOfHeapDiesAsItWouldWithoutTheAgent() throws Exception {
    try (ChildJvm with = ChildJvm.withAgent("port=0").jvmArg("-Xmx64m").run(HostileHostApp.class, "oom-main");
        ChildJvm without = ChildJvm.withoutAgent().jvmArg("-Xmx64m").run(HostileHostApp.class, "oom-main")) {
      int withStatus = with.waitFor(Duration.ofSeconds(60));
      int withoutStatus = without.waitFor(Duration.ofSeconds(60));
      assertThat(withStatus).as("exit status with the agent").isEqualTo(withoutStatus).isEqualTo(1);
      assertThat(with.stderr()).as("the host's own last words").anyMatch(line -> line.contains("java.lang.OutOfMemoryError"));
      assertThat(with.stderr()).as("nothing thrown from memwatch's threads into the host's log")
          .noneMatch(line -> line.contains("in thread \"memwatch"));
    }
  }

  @Test
  void afterTheHostRanOutOfHeapTheAgentStillServesItsFigures() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx64m").run(HostileHostApp.class, "oom-worker")) {
      child.scrape();
      child.writeStdin("go");
      child.awaitStdout("app: worker died", Duration.ofSeconds(60));
      String scrape = child.scrape();
      assertThat(ChildJvm.sample(scrape, "memwatch_heap_max_bytes")).hasValue(64.0 * 1024 * 1024);
      assertThat(ChildJvm.sample(scrape, "memwatch_heap_live_bytes")).as("the live set after the collections of the OOM").isPresent();
      child.closeStdin();
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(child.stderr()).anyMatch(line -> line.contains("in thread \"worker\""));
      assertThat(child.stderr()).noneMatch(line -> line.contains("in thread \"memwatch"));
    }
  }

  @Test
  void sigtermWhileAllocatingFromFourThreadsEndsTheHostAtOnceAsWithoutTheAgent() throws Exception {
    try (ChildJvm with = ChildJvm.withAgent("port=0").jvmArg("-Xmx256m").run(HostileHostApp.class, "busy");
        ChildJvm without = ChildJvm.withoutAgent().jvmArg("-Xmx256m").run(HostileHostApp.class, "busy")) {
      with.awaitStderr("memwatch: serving metrics", Duration.ofSeconds(60));
      with.awaitStdout("app: busy", Duration.ofSeconds(30));
      without.awaitStdout("app: busy", Duration.ofSeconds(30));
      Thread.sleep(3000); // the JVM's sampler is running by now (it starts once start-up looks over)
      long start = System.nanoTime();
      with.terminate();
      without.terminate();
      int withStatus = with.waitFor(Duration.ofSeconds(10));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(withStatus).as("exit status with the agent").isEqualTo(without.waitFor(Duration.ofSeconds(10))).isEqualTo(143);
      System.out.println("HostFaultsIT: SIGTERM to exit with the agent: " + millis + " ms");
      assertThat(millis).as("SIGTERM to exit").isLessThan(5000);
    }
  }
}
