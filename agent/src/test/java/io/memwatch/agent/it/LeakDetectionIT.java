package io.memwatch.agent.it;

import static io.memwatch.agent.it.ChildJvm.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import example.fixtures.CacheServiceApp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leak verdicts from real child JVMs on G1, Parallel and ZGC at once: a steady leak is suspected
 * in bounded time with its site on top; a busy bounded cache raises nothing; a warm-up that levels
 * off raises nothing, or clears. A 20 s leak window keeps the runs short.
 */
class LeakDetectionIT {
  private static final String OPTIONS = "port=0,leakWindow=20s,slowLeakWindow=2m";
  private static final Map<String, String> COLLECTORS = Map.of(
      "G1", "-XX:+UseG1GC", "Parallel", "-XX:+UseParallelGC", "ZGC", "-XX:+UseZGC");
  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void stop() {
    children.forEach(ChildJvm::close);
  }

  private Map<String, ChildJvm> startOnEveryCollector(String... args) throws Exception {
    Map<String, ChildJvm> started = new LinkedHashMap<>();
    for (Map.Entry<String, String> collector : COLLECTORS.entrySet()) {
      ChildJvm child = ChildJvm.withAgent(OPTIONS).jvmArg("-Xmx256m").jvmArg(collector.getValue())
          .run(CacheServiceApp.class, args);
      children.add(child);
      started.put(collector.getKey(), child);
    }
    return started;
  }

  @Test
  void aSteadyLeakIsSuspectedInBoundedTimeWithItsSiteOnTop() throws Exception {
    Map<String, ChildJvm> leaking = startOnEveryCollector("leak");

    // 2 MiB/s into 256 MiB runs out after about two minutes: each child is scraped the moment its
    // suspicion is logged, before its heap is gone. Three JVMs start at once on a small machine, so
    // the deadline allows for a slow start.
    Map<String, String> lines = new LinkedHashMap<>();
    Map<String, String> scrapes = new LinkedHashMap<>();
    Instant deadline = Instant.now().plusSeconds(150);
    while (lines.size() < leaking.size() && Instant.now().isBefore(deadline)) {
      for (Map.Entry<String, ChildJvm> entry : leaking.entrySet()) {
        if (lines.containsKey(entry.getKey())) {
          continue;
        }
        entry.getValue().stderr().stream().filter(l -> l.startsWith("memwatch: leak suspected: ")).findFirst()
            .ifPresent(line -> lines.put(entry.getKey(), line));
        if (lines.containsKey(entry.getKey())) {
          scrapes.put(entry.getKey(), entry.getValue().scrape());
        }
      }
      Thread.sleep(250);
    }
    assertThat(lines).as("collectors whose leak was suspected within 150 s; stderr: %s",
        leaking.values().stream().map(ChildJvm::stderr).toList()).containsOnlyKeys(leaking.keySet());

    for (Map.Entry<String, String> entry : lines.entrySet()) {
      String collector = entry.getKey();
      // Named among the top three suspects: on generational ZGC, garbage promoted to the old
      // generation stays weakly reachable until a major cycle, so a busy garbage site can rank beside it.
      assertThat(entry.getValue()).as(collector).contains("live set grows").contains("heap exhausted in about");
      assertThat(entry.getValue().substring(entry.getValue().indexOf("suspect sites: "))).as(collector)
          .contains("example.fixtures.CacheServiceApp$LeakingCache.put(CacheServiceApp.java:");
      String scrape = scrapes.get(collector);
      assertThat(sample(scrape, "memwatch_leak_suspected")).as(collector).hasValue(1.0);
      assertThat(sample(scrape, "memwatch_heap_growth_bytes_per_second")).as(collector)
          .hasValueSatisfying(rate -> assertThat(rate).isBetween(0.5 * (1 << 20), 4.0 * (1 << 20)));
      assertThat(sample(scrape, "memwatch_heap_exhaustion_seconds")).as(collector)
          .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1.0, 400.0));
      assertThat(topLiveSites(scrape, 3)).as(collector).anyMatch(site -> site.startsWith("example.fixtures.CacheServiceApp$LeakingCache.put("));
    }
  }

  @Test
  void aBusyServiceWithABoundedCacheRaisesNothing() throws Exception {
    Map<String, ChildJvm> steady = startOnEveryCollector("bounded");
    Instant until = Instant.now().plusSeconds(60);

    while (Instant.now().isBefore(until)) {
      for (Map.Entry<String, ChildJvm> entry : steady.entrySet()) {
        String scrape = entry.getValue().scrape();
        if (!entry.getKey().equals("Parallel")) {
          assertThat(sample(scrape, "memwatch_leak_suspected")).as(entry.getKey()).hasValue(0.0);
        }
      }
      Thread.sleep(2000);
    }
    for (Map.Entry<String, ChildJvm> entry : steady.entrySet()) {
      List<String> suspicions = entry.getValue().stderr().stream().filter(line -> line.contains("leak suspected:")).toList();
      if (entry.getKey().equals("Parallel")) {
        // Parallel collects the old generation only when it is full: until then, evicted entries
        // promoted at 2 MiB/s look like growth. Documented: at most one suspicion, lifted by the
        // first full collection, never back.
        assertThat(suspicions).as(entry.getKey()).hasSizeLessThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
            assertThat(sample(entry.getValue().scrape(), "memwatch_leak_suspected")).as(entry.getKey()).hasValue(0.0));
      } else {
        assertThat(suspicions).as(entry.getKey()).isEmpty();
      }
      assertThat(sample(entry.getValue().scrape(), "memwatch_heap_live_bytes")).as(entry.getKey())
          .hasValueSatisfying(live -> assertThat(live).isGreaterThan(10 << 20).isLessThan(200 << 20));
    }
  }

  @Test
  void aWarmUpThatLevelsOffRaisesNothingOrClears() throws Exception {
    Map<String, ChildJvm> warming = startOnEveryCollector("warmup", "20");

    // 40 MiB in 20 s, then flat: at most one suspicion, lifted by the time the levelling is old news.
    Thread.sleep(20_000);
    for (Map.Entry<String, ChildJvm> entry : warming.entrySet()) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
          assertThat(sample(entry.getValue().scrape(), "memwatch_leak_suspected")).as(entry.getKey()).hasValue(0.0));
      long suspicions = entry.getValue().stderr().stream().filter(line -> line.contains("leak suspected:")).count();
      assertThat(suspicions).as(entry.getKey()).isLessThanOrEqualTo(1);
    }
  }

  private static List<String> topLiveSites(String scrape, int count) {
    var matcher = java.util.regex.Pattern.compile(
        "(?m)^memwatch_site_live_bytes\\{site=\"([^\"]+)\",type=\"[^\"]+\"} (\\S+)$").matcher(scrape);
    Map<String, Double> live = new LinkedHashMap<>();
    while (matcher.find()) {
      if (!matcher.group(1).equals("other")) {
        live.merge(matcher.group(1), Double.parseDouble(matcher.group(2)), Double::sum);
      }
    }
    return live.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(count).map(Map.Entry::getKey).toList();
  }
}
