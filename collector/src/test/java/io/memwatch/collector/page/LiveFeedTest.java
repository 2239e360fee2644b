package io.memwatch.collector.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.leak.LeakVerdict;
import io.memwatch.collector.log.RecentLines;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.ajax.JSON;
import org.junit.jupiter.api.Test;

/** What the live page is fed, read from the same meters {@code /metrics} serves. */
class LiveFeedTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong rss = new AtomicLong(100L << 20);
  private final AtomicLong allocated = new AtomicLong();
  private LeakVerdict verdict = LeakVerdict.NONE;

  LiveFeedTest() {
    Gauge.builder("memwatch.rss", rss, AtomicLong::get).register(registry);
    Gauge.builder("memwatch.heap.max", () -> 512L << 20).register(registry);
    FunctionCounter.builder("memwatch.allocated", allocated, AtomicLong::get).register(registry);
    Gauge.builder("memwatch.site.live", () -> 80L << 20).tags("site", "com.example.Cache.put(Cache.java:42)", "type", "byte[]")
        .register(registry);
    Gauge.builder("memwatch.site.live", () -> 90L << 20).tags("site", "other", "type", "other").register(registry);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> read(LiveFeed feed) {
    return (Map<String, Object>) new JSON().fromJSON(feed.json());
  }

  @Test
  void keepsAFixedNumberOfReadingsOldestFirstAndUnknownFiguresAsNull() {
    LiveFeed feed = new LiveFeed(registry, () -> verdict, new RecentLines(5));
    for (int i = 0; i < LiveFeed.POINTS + 25; i++) {
      rss.set((long) i << 20);
      feed.record();
    }
    Map<String, Object> history = (Map<String, Object>) read(feed).get("history");
    Object[] rssColumn = (Object[]) history.get("rss");
    assertThat(rssColumn).hasSize(LiveFeed.POINTS);
    assertThat(((Number) rssColumn[0]).longValue()).isEqualTo(25L << 20);
    assertThat(((Number) rssColumn[LiveFeed.POINTS - 1]).longValue()).isEqualTo((LiveFeed.POINTS + 24L) << 20);
    // No heap.used meter here, and no rate before a second reading: null, never NaN (which is not JSON).
    assertThat((Object[]) history.get("heapUsed")).containsOnlyNulls();
    assertThat(feed.json()).doesNotContain("NaN", "Infinity");
    assertThat(((Number) read(feed).get("heapMax")).longValue()).isEqualTo(512L << 20);
    assertThat(read(feed).get("containerLimit")).isNull();
  }

  @Test
  void aSuspicionCarriesItsGrowthExhaustionAndSince() {
    verdict = new LeakVerdict(true, 2 << 20, 150, 200L << 20, 512L << 20, 1_000, 60, 61_000);
    LiveFeed feed = new LiveFeed(registry, () -> verdict, new RecentLines(5));
    Map<String, Object> shown = (Map<String, Object>) read(feed).get("verdict");
    assertThat(shown.get("suspected")).isEqualTo(true);
    assertThat(((Number) shown.get("growthBytesPerSecond")).doubleValue()).isEqualTo(2 << 20);
    assertThat(((Number) shown.get("exhaustionSeconds")).doubleValue()).isEqualTo(150);
    assertThat(shown.get("since")).isNotNull();
    assertThat((String) shown.get("summary")).contains("live set grows 2.0 MiB/s");
  }

  @Test
  void liveSitesLeaveOutTheRestAndSiteNamesAreEscaped() {
    Gauge.builder("memwatch.site.live", () -> 1L << 20).tags("site", "com.example.\"Odd\"<b>.x(X.java:1)", "type", "char[]")
        .register(registry);
    LiveFeed feed = new LiveFeed(registry, () -> verdict, new RecentLines(5));
    Object[] sites = (Object[]) read(feed).get("liveSites");
    assertThat(sites).extracting(site -> ((Map<String, Object>) site).get("site"))
        .containsExactly("com.example.Cache.put(Cache.java:42)", "com.example.\"Odd\"<b>.x(X.java:1)");
  }

  @Test
  void allocationRatesArePerSecondFromTheSitesCounters() throws Exception {
    AtomicLong busy = new AtomicLong();
    AtomicLong quiet = new AtomicLong();
    FunctionCounter.builder("memwatch.site.allocated", busy, AtomicLong::get).tags("site", "com.example.Busy.run(Busy.java:3)", "type", "byte[]")
        .register(registry);
    FunctionCounter.builder("memwatch.site.allocated", quiet, AtomicLong::get).tags("site", "com.example.Quiet.run(Quiet.java:3)", "type", "byte[]")
        .register(registry);
    LiveFeed feed = new LiveFeed(registry, () -> verdict, new RecentLines(5));
    feed.record();
    for (int i = 0; i < 5; i++) {
      Thread.sleep(50);
      busy.addAndGet(10L << 20);
      quiet.addAndGet(1L << 20);
      allocated.addAndGet(11L << 20);
      feed.record();
    }
    List<Object> sites = List.of((Object[]) read(feed).get("allocationSites"));
    assertThat(sites).extracting(site -> ((Map<String, Object>) site).get("site"))
        .containsExactly("com.example.Busy.run(Busy.java:3)", "com.example.Quiet.run(Quiet.java:3)");
    double busyRate = ((Number) ((Map<String, Object>) sites.get(0)).get("bytesPerSecond")).doubleValue();
    double quietRate = ((Number) ((Map<String, Object>) sites.get(1)).get("bytesPerSecond")).doubleValue();
    assertThat(busyRate / quietRate).isCloseTo(10, org.assertj.core.data.Offset.offset(0.5));
    Object[] rates = (Object[]) ((Map<String, Object>) read(feed).get("history")).get("allocatedBytesPerSecond");
    assertThat(((Number) rates[rates.length - 1]).doubleValue()).isBetween(11.0 * (1 << 20), 11.0 * (1 << 20) / 0.04);
  }
}
