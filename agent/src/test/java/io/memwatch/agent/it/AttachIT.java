package io.memwatch.agent.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import example.fixtures.AttachTargetApp;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Attaching to JVMs that are already running, through the agent jar's own tool
 * ({@code java -jar memwatch-agent.jar attach PID}) in a process of its own, as a user would.
 */
class AttachIT {
  private static final Pattern ATTACHED = Pattern.compile("^memwatch: attached to JVM (\\d+) .*; metrics at (http://\\S+/metrics)$");
  private static final String SITE = "example.fixtures.AttachTargetApp.allocate(";
  private static final boolean WARNS_ON_DYNAMIC_AGENTS = Runtime.version().feature() >= 21;

  /** One run of the attach tool: its exit status and output. */
  record Tool(int exit, List<String> stdout, List<String> stderr) {}

  static Tool tool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ChildJvm.java().toString(), "-jar", ChildJvm.agentJar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name ->
        name.startsWith("MEMWATCH_") || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS"));
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<List<String>> stdout = lines(process.getInputStream());
    CompletableFuture<List<String>> stderr = lines(process.getErrorStream());
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the attach tool did not finish within 60 s: " + command);
    }
    return new Tool(process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
  }

  private static CompletableFuture<List<String>> lines(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> new BufferedReader(new InputStreamReader(stream, UTF_8)).lines().toList(),
        task -> {
          Thread thread = new Thread(task, "attach-tool-output");
          thread.setDaemon(true);
          thread.start();
        });
  }

  /** A target as an operator would start it: no agent; on Java 21+ allowing agents loaded later, silently. */
  private static ChildJvm.Builder target() {
    ChildJvm.Builder builder = ChildJvm.withoutAgent();
    if (WARNS_ON_DYNAMIC_AGENTS) {
      builder.jvmArg("-XX:+EnableDynamicAgentLoading"); // unknown to Java 17, which would refuse to start
    }
    return builder;
  }

  @Test
  void attachesToARunningJvmWhoseLoadedClassesAreInstrumentedAndASecondAttachDoesNothing() throws Exception {
    try (ChildJvm target = target().run(AttachTargetApp.class)) {
      target.awaitStdout("^attach-target: running$", Duration.ofSeconds(30));
      String pid = Long.toString(target.pid());

      Tool list = tool("list");
      assertThat(list.exit()).as("%s", list).isZero();
      assertThat(list.stdout()).as("%s", list).anyMatch(line -> line.matches(pid + " +\\S+ +example\\.fixtures\\.AttachTargetApp"));

      Tool attach = tool("attach", pid, "port=0", "debug=true");
      assertThat(attach.exit()).as("%s", attach).isZero();
      assertThat(attach.stdout()).as("%s", attach).singleElement().asString().matches(ATTACHED);
      Matcher attached = ATTACHED.matcher(attach.stdout().get(0));
      assertThat(attached.matches()).isTrue();
      assertThat(attached.group(1)).isEqualTo(pid);
      URI url = URI.create(attached.group(2));
      assertThat(url).isEqualTo(target.metricsUrl());
      assertThat(attach.stderr()).as("no note on dynamic loading: the target allows it").isEmpty();

      // AttachTargetApp was loaded and running before the attach: its allocation site shows it was retransformed.
      target.awaitStderr("allocation instrumentation in place", Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
          assertThat(AllocationSitesIT.siteBytes(target.scrape()).keySet())
              .anyMatch(site -> site.startsWith(SITE) && site.endsWith(" byte[]")));

      Tool again = tool("attach", pid, "port=0");
      assertThat(again.exit()).as("%s", again).isZero();
      assertThat(again.stdout()).as("%s", again).singleElement().asString()
          .startsWith("memwatch: already running in JVM " + pid).contains(url.toString()).endsWith("nothing done");
      Thread.sleep(500); // a second start would have printed by now
      assertThat(target.stderr()).filteredOn(line -> line.contains("serving metrics on")).hasSize(1);
      assertThat(target.stderr()).noneMatch(line -> line.contains("already running") || line.startsWith("WARNING"));
      assertThat(target.stderr()).filteredOn(line -> line.startsWith("memwatch:")).noneMatch(line -> line.contains("Exception"));
    }
  }

  @Test
  void aPidThatIsNotANumberOrNoProcessIsOneClearLineWithItsOwnStatus() throws Exception {
    Tool word = tool("attach", "notanumber");
    assertThat(word.exit()).as("%s", word).isEqualTo(3);
    assertThat(word.stdout()).isEmpty();
    assertThat(word.stderr()).singleElement().asString().startsWith("memwatch: ").contains("'notanumber' is not a process id");

    Tool none = tool("attach", "999999999");
    assertThat(none.exit()).as("%s", none).isEqualTo(4);
    assertThat(none.stdout()).isEmpty();
    assertThat(none.stderr()).singleElement().asString().startsWith("memwatch: ").contains("no process 999999999");
  }

  @Test
  void aProcessThatIsNotAJvmIsLeftAlone() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").start();
    try {
      Tool tool = tool("attach", Long.toString(sleep.pid()));
      assertThat(tool.exit()).as("%s", tool).isEqualTo(5);
      assertThat(tool.stderr()).singleElement().asString().startsWith("memwatch: ").contains("not a Java virtual machine");
      // The Attach API would have sent it SIGQUIT, which a process without a handler dies of.
      assertThat(sleep.isAlive()).isTrue();
    } finally {
      sleep.destroyForcibly();
    }
  }

  @Test
  void aJvmThatDisabledAttachIsRefusedClearlyAndRunsOn() throws Exception {
    try (ChildJvm target = ChildJvm.withoutAgent().jvmArg("-XX:+DisableAttachMechanism").run(AttachTargetApp.class)) {
      target.awaitStdout("^attach-target: running$", Duration.ofSeconds(30));
      Tool tool = tool("attach", Long.toString(target.pid()), "port=0");
      assertThat(tool.exit()).as("%s", tool).isEqualTo(6);
      assertThat(tool.stderr()).singleElement().asString().startsWith("memwatch: ").contains("-XX:+DisableAttachMechanism");
      assertThat(ProcessHandle.of(target.pid()).map(ProcessHandle::isAlive)).hasValue(true);
      assertThat(target.stderr()).noneMatch(line -> line.startsWith("memwatch:"));
    }
  }

  @Test
  void onJava21AndLaterTheToolExplainsTheTargetsWarningAboutDynamicAgents() throws Exception {
    try (ChildJvm target = ChildJvm.withoutAgent().run(AttachTargetApp.class)) {
      target.awaitStdout("^attach-target: running$", Duration.ofSeconds(30));
      Tool tool = tool("attach", Long.toString(target.pid()), "port=0,allocations=false");
      assertThat(tool.exit()).as("%s", tool).isZero();
      assertThat(tool.stdout()).singleElement().asString().matches(ATTACHED);
      target.metricsUrl();
      if (WARNS_ON_DYNAMIC_AGENTS) {
        assertThat(tool.stderr()).singleElement().asString().startsWith("memwatch: note: ").contains("-XX:+EnableDynamicAgentLoading");
        target.awaitStderr("^WARNING: A Java agent has been loaded dynamically", Duration.ofSeconds(10));
      } else {
        assertThat(tool.stderr()).isEmpty();
        assertThat(target.stderr()).noneMatch(line -> line.startsWith("WARNING"));
      }
    }
  }

  /**
   * Attached twice to a JVM whose 16 threads allocate as fast as they can, and to one that is on its
   * way out: the busy one serves metrics and finishes its work, the second attach does nothing, and
   * the one shutting down exits with its own status whatever the tool could do.
   */
  @Test
  void attachesTwiceToABusyJvmAndLeavesOneThatIsShuttingDownAsItWas() throws Exception {
    try (ChildJvm busy = target().run(example.fixtures.AllocationStormApp.class, "15");
        ChildJvm leaving = target().run(example.fixtures.ExitWithStatusApp.class, "3000", "5")) {
      Thread.sleep(1500); // both under way
      Tool first = tool("attach", Long.toString(busy.pid()), "port=0");
      Tool second = tool("attach", Long.toString(busy.pid()), "port=0");
      assertThat(first.exit()).as("%s", first).isZero();
      assertThat(first.stdout()).as("%s", first).singleElement().asString().matches(ATTACHED);
      assertThat(second.exit()).as("%s", second).isZero();
      assertThat(second.stdout()).as("%s", second).singleElement().asString().contains("already running");
      assertThat(ChildJvm.sample(busy.scrape(), "memwatch_heap_used_bytes")).isPresent();

      leaving.awaitStdout("^app: done$", Duration.ofSeconds(30));
      Tool late = tool("attach", Long.toString(leaving.pid()), "port=0");
      assertThat(late.stdout().size() + late.stderr().size()).as("one line, whatever happened: %s", late).isEqualTo(1);
      assertThat(leaving.waitFor(Duration.ofSeconds(30))).as("the exit status of the JVM that was leaving").isEqualTo(5);

      assertThat(busy.awaitStdout("^app: allocations=", Duration.ofSeconds(90))).isNotEmpty();
      busy.closeStdin();
      assertThat(busy.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(busy.stderr()).filteredOn(line -> line.contains("serving metrics on")).hasSize(1);
      assertThat(busy.stderr()).noneMatch(line -> line.contains("Exception"));
    }
  }
}
