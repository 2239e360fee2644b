package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import example.fixtures.JacksonCacheApp;
import example.fixtures.JdkHeavyApp;
import example.fixtures.OwnRecordingApp;
import example.fixtures.StringLeakApp;
import example.fixtures.TwoSitesApp;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who allocated, at default options, in real child JVMs: the hooks in the application's own code
 * and the JVM's sampler for the rest, together within 20% of the JVM's own count, with sites named
 * by the user's lines even where the JDK or a library made the bytes.
 */
class AllocationAttributionIT {
  @Test
  void bytesAllocatedInsideTheJdkAreCountedWithinTwentyPercentOfTheJvmsOwnCount() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0").run(JdkHeavyApp.class, "8")) {
      child.awaitStdout("^jdk-heavy: done$", Duration.ofSeconds(120));
      // The sampler's events reach memwatch about a second after they happen: poll until they are in.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        String scrape = child.scrape();
        double truth = Double.parseDouble(child.awaitStdout("^truth allocatedBytes=", Duration.ofSeconds(5)).split("=")[1]);
        assertThat(truth).isGreaterThan(1e9);
        assertThat(ChildJvm.sample(scrape, "memwatch_allocated_bytes_total"))
            .hasValueSatisfying(counted -> assertThat(counted / truth).as("memwatch / JVM, JVM counted %.0f", truth).isBetween(0.8, 1.2));
      });
      String scrape = child.scrape();
      assertThat(ChildJvm.sample(scrape, "memwatch_instrumentation_errors_total")).hasValue(0.0);
      // Bytes from before the sampler started have a site of their own, "(before sampling started)".
      assertThat(topSites(scrape, 5)).as("the user's lines, not the JDK's")
          .filteredOn(site -> !site.startsWith("(")).isNotEmpty().allMatch(site -> site.startsWith("example.fixtures.JdkHeavyApp."));
      assertThat(flightRecorderRepositories(child.pid())).as("the sampler's repository while it runs").hasSize(1);

      child.closeStdin();
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(flightRecorderRepositories(child.pid())).as("the sampler's repository after the JVM exited").isEmpty();
    }
  }

  /** The Flight Recorder's repositories of a JVM in the temporary directory: yyyy_MM_dd_HH_mm_ss_PID. */
  private static List<java.nio.file.Path> flightRecorderRepositories(long pid) throws java.io.IOException {
    try (var entries = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(path -> path.getFileName().toString().matches("\\d{4}(_\\d{2}){5}_" + pid)).toList();
    }
  }

  @Test
  void aStringMadeByTheJdkAndKeptInAHashMapIsBlamedOnTheLineThatPutsIt() throws Exception {
    String putLine = "example.fixtures.StringLeakApp$Cache.put(StringLeakApp.java:"
        + StringLeakApp.PUT_LINE + ")";
    try (ChildJvm child = ChildJvm.withAgent("port=0").run(StringLeakApp.class)) {
      child.awaitStdout("^string-leak: running$", Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        Map<String, Double> sites = AllocationSitesIT.siteBytes(child.scrape());
        String top = sites.entrySet().stream()
            .filter(e -> e.getKey().endsWith(" java.lang.String") || e.getKey().endsWith(" byte[]"))
            .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("none");
        assertThat(top).as("top String or byte[] site among %s", sites).startsWith(putLine + " ");
        assertThat(sites.get(top)).isGreaterThan(1e8);
      });
    }
  }

  @Test
  void objectsMadeByJacksonAndKeptByTheUserAreBlamedOnTheUsersLine() throws Exception {
    String loadLine = "example.fixtures.JacksonCacheApp$OrderCache.load(JacksonCacheApp.java:"
        + JacksonCacheApp.LOAD_LINE + ")";
    String classpath = ChildJvm.fixtureClasspath() + File.pathSeparator + ThirdPartyLibrariesIT.thirdPartyJars();
    try (ChildJvm child = ChildJvm.withAgent("port=0").classpath(classpath).run(JacksonCacheApp.class)) {
      child.awaitStdout("^jackson-cache: running$", Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        Map<String, Double> sites = AllocationSitesIT.siteBytes(child.scrape());
        double user = sites.entrySet().stream().filter(e -> e.getKey().startsWith(loadLine + " "))
            .mapToDouble(Map.Entry::getValue).sum();
        double jackson = sites.entrySet().stream().filter(e -> e.getKey().startsWith("com.fasterxml."))
            .mapToDouble(Map.Entry::getValue).sum();
        assertThat(topSites(sites, 2)).as("%s", sites).filteredOn(site -> !site.startsWith("("))
            .first().asString().startsWith(loadLine + " ");
        assertThat(user).isGreaterThan(1e8);
        assertThat(jackson).as("bytes named after Jackson's own frames").isLessThan(0.05 * user);
      });
    }
  }

  @Test
  void aRecordingTheHostRunsItselfKeepsRunningWithItsSettingsAndEveryEventItAskedFor() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0,debug=true").jvmArg("-Xmx512m").run(OwnRecordingApp.class)) {
      child.awaitStdout("^own-recording: running$", Duration.ofSeconds(30));
      // memwatch's recordings start after the host's, its leak profiler once the live set grows;
      // wait until memwatch has dumped that recording once.
      child.awaitStderr("read \\d+ of the JVM's sampled live objects", Duration.ofSeconds(150));
      assertThat(child.scrape()).contains("memwatch_allocated_bytes_total");
      child.writeStdin("stop");
      String report = child.awaitStdout("^own-recording: state=", Duration.ofSeconds(30));
      assertThat(report).contains("state=RUNNING", "settingsKept=true", "listed=true");
      String sleeps = report.replaceAll(".* sleeps=(\\d+) .*", "$1");
      assertThat(Long.parseLong(sleeps)).isGreaterThan(100);
      assertThat(report).as("every sleep the host made is in its recording").contains(" recorded=" + sleeps + " ");
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void whereTheRuntimeHasNoFlightRecorderTheHooksAloneNameSites() throws Exception {
    // A runtime without jdk.jfr, as jlink makes them: the modules memwatch needs, and no more.
    try (ChildJvm child = ChildJvm.withAgent("port=0")
        .jvmArg("--limit-modules=java.se,jdk.httpserver,jdk.management,jdk.unsupported")
        .run(TwoSitesApp.class)) {
      assertThat(child.awaitStderr("allocation sampler is missing", Duration.ofSeconds(30)))
          .startsWith("memwatch: ").contains("jdk.jfr");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(AllocationSitesIT.siteBytes(child.scrape()).keySet())
              .contains("example.fixtures.TwoSitesApp.large(TwoSitesApp.java:29) byte[]"));
      assertThat(child.stderr()).filteredOn(line -> line.startsWith("memwatch:")).hasSize(2); // that line, and the URL
    }
  }

  private static List<String> topSites(String scrape, int count) {
    return topSites(AllocationSitesIT.siteBytes(scrape), count);
  }

  private static List<String> topSites(Map<String, Double> sites, int count) {
    return sites.entrySet().stream().filter(e -> !e.getKey().startsWith("other "))
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(count).map(Map.Entry::getKey).toList();
  }
}
