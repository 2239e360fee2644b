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

  @Test
  void systemExitWhileAllocatingFromFourThreadsEndsTheHostAtOnceWithItsStatus() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx256m").run(HostileHostApp.class, "busy-exit")) {
      child.awaitStdout("app: exiting", Duration.ofSeconds(60));
      long start = System.nanoTime();
      assertThat(child.waitFor(Duration.ofSeconds(10))).isEqualTo(4);
      assertThat((System.nanoTime() - start) / 1_000_000).as("System.exit to exit, ms").isLessThan(5000);
      assertThat(child.stderr()).allSatisfy(line -> assertThat(line).startsWith("memwatch: "));
    }
  }

  /**
   * Sixteen threads allocating as fast as they can, beside the same without the agent: the host is
   * never blocked (it allocates at least half as much), drops are counted rather than waited for, and
   * what memwatch keeps in the heap afterwards (the difference of the two class histograms, each
   * taken after a full collection) stays within 16 MiB.
   */
  @Test
  void anAllocationStormFromSixteenThreadsIsNeverBlockedAndTheAgentsHeapStaysSmall() throws Exception {
    try (ChildJvm with = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(example.fixtures.AllocationStormApp.class, "60");
        ChildJvm without = ChildJvm.withoutAgent().jvmArg("-Xmx512m").run(example.fixtures.AllocationStormApp.class, "60")) {
      long withCount = allocations(with.awaitStdout("^app: allocations=", Duration.ofSeconds(150)));
      long withoutCount = allocations(without.awaitStdout("^app: allocations=", Duration.ofSeconds(150)));
      String scrape = with.scrape();
      assertThat(ChildJvm.sample(scrape, "memwatch_events_dropped_total")).as("drops are counted").isPresent();
      long withHeap = histogramTotal(with.pid());
      long withoutHeap = histogramTotal(without.pid());
      System.out.printf("HostFaultsIT: storm of 16 threads for 60 s: %d allocations with the agent, %d without (x%.2f);"
          + " dropped %.0f events; live heap %.1f MiB with, %.1f MiB without%n", withCount, withoutCount,
          (double) withCount / withoutCount, ChildJvm.sample(scrape, "memwatch_events_dropped_total").orElse(0.0),
          withHeap / 1048576.0, withoutHeap / 1048576.0);
      assertThat((double) withCount).as("allocations with the agent against without").isGreaterThan(0.5 * withoutCount);
      assertThat(withHeap - withoutHeap).as("memwatch's own live heap, bytes").isLessThan(16L << 20);
      with.closeStdin();
      without.closeStdin();
      assertThat(with.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(without.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }

  /**
   * 100,000 classes made as frameworks make them (hidden classes, lambdas, one class defined by
   * a loader each), beside the same without the agent: the host makes them all, nothing fails to
   * instrument, the sites stay few (one class from many loaders is one site), and the metaspace stays
   * within a quarter (plus 16 MiB) of the run without the agent.
   */
  @Test
  void aHundredThousandGeneratedClassesKeepSitesAndMetaspaceBounded() throws Exception {
    try (ChildJvm with = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(example.fixtures.ManyClassesApp.class, "100000");
        ChildJvm without = ChildJvm.withoutAgent().jvmArg("-Xmx512m").run(example.fixtures.ManyClassesApp.class, "100000")) {
      String withLine = with.awaitStdout("^app: classes=", Duration.ofSeconds(180));
      String withoutLine = without.awaitStdout("^app: classes=", Duration.ofSeconds(180));
      assertThat(withLine).startsWith("app: classes=100000 ");
      long withMetaspace = Long.parseLong(withLine.substring(withLine.indexOf("metaspace=") + "metaspace=".length()));
      long withoutMetaspace = Long.parseLong(withoutLine.substring(withoutLine.indexOf("metaspace=") + "metaspace=".length()));
      String scrape = with.scrape();
      double sites = ChildJvm.sample(scrape, "memwatch_allocation_sites").orElseThrow();
      System.out.printf("HostFaultsIT: 100,000 classes: metaspace %.1f MiB with the agent, %.1f MiB without; %.0f sites,"
          + " %.0f classes instrumented%n", withMetaspace / 1048576.0, withoutMetaspace / 1048576.0, sites,
          ChildJvm.sample(scrape, "memwatch_instrumented_classes_total").orElse(-1.0));
      assertThat(ChildJvm.sample(scrape, "memwatch_instrumentation_errors_total")).hasValue(0.0);
      assertThat(sites).as("allocation sites known to the agent").isLessThan(1000);
      assertThat(withMetaspace).as("metaspace with the agent").isLessThan(withoutMetaspace + withoutMetaspace / 4 + (16L << 20));
      assertThat(with.stderr()).allSatisfy(line -> assertThat(line).startsWith("memwatch: "));
      with.closeStdin();
      without.closeStdin();
      assertThat(with.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(without.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }

  /**
   * A host that interrupts every thread it sees, three times: memwatch's endpoint is reachable again
   * within seconds (an interrupt of the thread that accepts connections closes the listening socket;
   * memwatch opens it again on the same port), and its collector does not spin (it did: parking
   * returns at once while the flag is set). The host then only waits, so the CPU time is memwatch's.
   */
  @Test
  void aHostThatInterruptsEveryThreadLeavesMemwatchServingAndIdle() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx128m").run(HostileHostApp.class, "interrupt-all")) {
      child.scrape();
      Thread.sleep(3000); // past start-up: the JVM's sampler is running too
      child.writeStdin("go");
      child.awaitStdout("app: interrupted every thread three times", Duration.ofSeconds(30));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
          assertThat(ChildJvm.sample(child.scrape(), "memwatch_heap_used_bytes")).isPresent());
      long cpuBefore = cpuMillis(child.pid());
      for (int i = 0; i < 10; i++) {
        assertThat(ChildJvm.sample(child.scrape(), "memwatch_heap_used_bytes")).isPresent();
        Thread.sleep(500);
      }
      long cpu = cpuMillis(child.pid()) - cpuBefore;
      System.out.println("HostFaultsIT: CPU over 5 s with 10 scrapes, after the host interrupted every thread: " + cpu + " ms; "
          + child.stderr().stream().filter(line -> line.contains("interrupted")).toList());
      assertThat(cpu).as("the process's CPU time over 5 s, ms (a spinning thread would take about 5000)").isLessThan(2500);
      assertThat(child.stderr()).allSatisfy(line -> assertThat(line).startsWith("memwatch: "));
    }
  }

  private static long cpuMillis(long pid) throws Exception {
    String[] stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"))
        .replaceFirst("^.*\\) ", "").split(" ");
    return (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) * 10; // utime, stime in ticks of 10 ms
  }

  private static long allocations(String line) {
    return Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
  }

  /** The live heap by the JVM's class histogram (which collects first), in bytes. */
  private static long histogramTotal(long pid) throws Exception {
    Process jcmd = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(jcmd.waitFor()).as(output).isZero();
    java.util.regex.Matcher total = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(output);
    assertThat(total.find()).as("a Total line in\n" + output).isTrue();
    return Long.parseLong(total.group(1));
  }
}
