package io.memwatch.agent.it;

import static io.memwatch.agent.it.ChildJvm.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import example.fixtures.ServiceScenarioApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The leak verdict on real child JVMs at default options and the JVM's default heap layout (only
 * the heap's size is set), on every collector at once: a steady 2 MiB/s leak into 512 MiB is
 * suspected within 75 s of its start with its site on top, and a busy bounded cache whose entries
 * are promoted and evicted, churning ten times as fast, raises nothing. The other scenarios
 * (warm-up, load step, batch, idle, slow leaks) are replayed from their recorded collections by
 * the collector's unit tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakDetectionIT {
  private static final String LEAK_SITE = "example.fixtures.ServiceScenarioApp$Leak.remember(ServiceScenarioApp.java:";
  private static final Duration LEAK_DEADLINE = Duration.ofSeconds(75);
  private static final Duration CHURN_WATCH = Duration.ofSeconds(120);
  private static final Path SERIES = Path.of("target", "leak-it");
  private static final Map<String, ChildJvm> LEAKING = new LinkedHashMap<>();
  private static final Map<String, ChildJvm> CHURNING = new LinkedHashMap<>();
  private static final Map<String, Instant> STARTED = new LinkedHashMap<>();

  static Map<String, String> collectors() {
    Map<String, String> collectors = new LinkedHashMap<>();
    collectors.put("G1", "-XX:+UseG1GC");
    collectors.put("Parallel", "-XX:+UseParallelGC");
    collectors.put("Serial", "-XX:+UseSerialGC");
    // ZGC on 17 collects the whole heap every cycle; from 21 on it can be generational, and from
    // 24 on it always is.
    collectors.put("ZGC", "-XX:+UseZGC");
    return collectors;
  }

  @BeforeAll
  static void startTheLeakOnEveryCollector() throws Exception {
    // One scenario on all collectors at once: each JVM is light (500 requests a second), and a
    // minute and a half beats six one after another. The clocks start when each scenario says it
    // has, so a slower start on two busy cores is not counted.
    Files.createDirectories(SERIES);
    for (Map.Entry<String, String> collector : collectors().entrySet()) {
      LEAKING.put(collector.getKey(), start(collector, "leak"));
    }
    for (Map.Entry<String, ChildJvm> leaking : LEAKING.entrySet()) {
      leaking.getValue().awaitStdout("^scenario: leak started", Duration.ofSeconds(60));
      STARTED.put(leaking.getKey(), Instant.now());
    }
  }

  // Each child records its collections, so that a failure can be replayed in the collector's unit tests.
  private static ChildJvm start(Map.Entry<String, String> collector, String... scenario) throws Exception {
    Path series = SERIES.resolve(scenario[0] + "-" + collector.getKey() + ".gc").toAbsolutePath();
    // debug: a suspicion's onset is logged with its evidence, for a failure to be understood.
    return ChildJvm.withAgent("port=0,debug=true").jvmArg("-Xmx512m").jvmArg(collector.getValue())
        .jvmArg("-Dscenario.gcSeries=" + series).run(ServiceScenarioApp.class, scenario);
  }

  @AfterAll
  static void stopThem() {
    LEAKING.values().forEach(ChildJvm::close);
    CHURNING.values().forEach(ChildJvm::close);
  }

  @Test
  @Order(1) // while the leaking heaps still have room
  void aSteadyLeakOf2MiBPerSecondIsSuspectedWithin75SecondsWithItsSiteOnTop() throws Exception {
    // Each child is scraped the moment its suspicion is logged: the heap runs out about two
    // minutes later.
    Map<String, String> lines = new LinkedHashMap<>();
    Map<String, String> scrapes = new LinkedHashMap<>();
    Map<String, Duration> detectedAfter = new LinkedHashMap<>();
    Instant giveUp = STARTED.values().stream().max(Instant::compareTo).orElseThrow().plus(LEAK_DEADLINE).plusSeconds(10);
    while (lines.size() < LEAKING.size() && Instant.now().isBefore(giveUp)) {
      for (Map.Entry<String, ChildJvm> entry : LEAKING.entrySet()) {
        String collector = entry.getKey();
        if (lines.containsKey(collector)) {
          continue;
        }
        var line = entry.getValue().stderr().stream().filter(l -> l.startsWith("memwatch: leak suspected: ")).findFirst();
        if (line.isPresent()) {
          detectedAfter.put(collector, Duration.between(STARTED.get(collector), Instant.now()));
          lines.put(collector, line.get());
          scrapes.put(collector, entry.getValue().scrape());
        }
      }
      Thread.sleep(200);
    }

    assertThat(lines).as("collectors whose leak was suspected; collections in %s; stderr: %s",
        SERIES.toAbsolutePath(), LEAKING.values().stream().map(ChildJvm::stderr).toList())
        .containsOnlyKeys(LEAKING.keySet());
    for (Map.Entry<String, String> entry : lines.entrySet()) {
      String collector = entry.getKey();
      assertThat(detectedAfter.get(collector)).as("%s: time from the leak's start to the suspicion", collector)
          .isLessThanOrEqualTo(LEAK_DEADLINE);
      String line = entry.getValue();
      System.out.printf("LeakDetectionIT: %s suspected the leak %.1f s after its start: %s%n",
          collector, detectedAfter.get(collector).toMillis() / 1000.0, line);
      assertThat(line).as(collector).contains("live set grows").contains("heap exhausted in about");
      // The first suspect named is the leaking site, on every collector: in the suspicion's line, or,
      // where no collection had judged its window yet (generational ZGC), in the line that follows.
      String named = line.contains("suspect sites: ")
          ? line.substring(line.indexOf("suspect sites: ") + "suspect sites: ".length())
          : followingSuspects(LEAKING.get(collector));
      assertThat(named).as("%s: %s", collector, line).startsWith(LEAK_SITE);
      String scrape = scrapes.get(collector);
      assertThat(sample(scrape, "memwatch_leak_suspected")).as(collector).hasValue(1.0);
      assertThat(sample(scrape, "memwatch_heap_growth_bytes_per_second")).as(collector)
          .hasValueSatisfying(rate -> assertThat(rate).isBetween(1.5 * (1 << 20), 3.0 * (1 << 20)));
      // About 2 MiB/s into what is left of 512 MiB after a minute: two to three minutes.
      assertThat(sample(scrape, "memwatch_heap_exhaustion_seconds")).as(collector)
          .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(60.0, 300.0));
    }
    // The largest live site is the leaking one too, once collections have judged the followed
    // objects: on generational ZGC that takes until they are promoted and marked, cycles later; on
    // Parallel and Serial, garbage promoted by a busy site looks alive until the first full
    // collection (a Java 25 run had Requests.handle on top for 30 s after the suspicion, whose own
    // line named Leak.remember first).
    for (Map.Entry<String, ChildJvm> entry : LEAKING.entrySet()) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(topLiveSite(entry.getValue().scrape())).as(entry.getKey()).startsWith(LEAK_SITE));
    }
  }

  @Test
  @Order(2)
  void aBoundedCacheChurningTenTimesAsFastRaisesNothing() throws Exception {
    LEAKING.values().forEach(ChildJvm::close);
    for (Map.Entry<String, String> collector : collectors().entrySet()) {
      CHURNING.put(collector.getKey(), start(collector, "cache", "churnKibPerSecond=20480"));
    }
    for (ChildJvm churning : CHURNING.values()) {
      churning.awaitStdout("^scenario: cache started", Duration.ofSeconds(60));
    }
    Instant until = Instant.now().plus(CHURN_WATCH);
    while (Instant.now().isBefore(until)) {
      for (Map.Entry<String, ChildJvm> entry : CHURNING.entrySet()) {
        assertThat(sample(entry.getValue().scrape(), "memwatch_leak_suspected"))
            .as(() -> whatItSaw(entry.getKey(), entry.getValue())).hasValue(0.0);
      }
      Thread.sleep(2000);
    }
    for (Map.Entry<String, ChildJvm> entry : CHURNING.entrySet()) {
      List<String> suspicions = new ArrayList<>(entry.getValue().stderr());
      suspicions.removeIf(line -> !line.contains("leak suspected:"));
      assertThat(suspicions).as(() -> whatItSaw(entry.getKey(), entry.getValue())).isEmpty();
      // The cache holds 160 MiB: the live set says so, promoted garbage and all.
      assertThat(sample(entry.getValue().scrape(), "memwatch_heap_live_bytes")).as(entry.getKey())
          .hasValueSatisfying(live -> assertThat(live).isBetween(150.0 * (1 << 20), 400.0 * (1 << 20)));
    }
  }

  // What a failed run leaves for the next one to replay: the target directory may be gone by then.
  private static String whatItSaw(String collector, ChildJvm child) {
    Path series = SERIES.resolve("cache-" + collector + ".gc");
    String collections;
    try {
      collections = Files.readString(series);
    } catch (java.io.IOException e) {
      collections = "(" + series + " unreadable: " + e + ")";
    }
    List<String> leakLines = new ArrayList<>(child.stderr());
    leakLines.removeIf(line -> !line.contains("leak"));
    return collector + "; memwatch said " + leakLines + "; its collections (" + series.toAbsolutePath() + "):\n" + collections;
  }

  private static String followingSuspects(ChildJvm leaking) {
    String prefix = "memwatch: leak suspects: ";
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(
        () -> leaking.stderr().stream().filter(l -> l.startsWith(prefix)).findFirst()
            .map(l -> l.substring(prefix.length())).orElse(null),
        java.util.Objects::nonNull);
  }

  private static String topLiveSite(String scrape) {
    var matcher = java.util.regex.Pattern.compile(
        "(?m)^memwatch_site_live_bytes\\{site=\"([^\"]+)\",type=\"[^\"]+\"} (\\S+)$").matcher(scrape);
    Map<String, Double> live = new LinkedHashMap<>();
    while (matcher.find()) {
      if (!matcher.group(1).equals("other")) {
        live.merge(matcher.group(1), Double.parseDouble(matcher.group(2)), Double::sum);
      }
    }
    return live.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("(none)");
  }
}
