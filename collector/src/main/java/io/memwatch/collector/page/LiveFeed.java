package io.memwatch.collector.page;

import io.memwatch.collector.events.JvmClock;
import io.memwatch.collector.leak.LeakVerdict;
import io.memwatch.collector.log.RecentLines;
import io.memwatch.collector.sites.SiteKey;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.util.ajax.JSON;

/**
 * What the live page shows, as JSON: the figures of the last minutes and the verdict, the sites and
 * the lines of now. Read from the same meters {@code /metrics} serves, so the page never says
 * something a scrape would not, plus memwatch's own recent lines.
 *
 * <p>{@link #record()} runs on the collector thread every {@link #PERIOD}; {@link #json()} on the
 * endpoint's threads.
 */
public final class LiveFeed {
  public static final Duration PERIOD = Duration.ofSeconds(2);
  /** Fifteen minutes of readings: a few tens of KiB, fixed. */
  static final int POINTS = 450;
  static final int TOP = 10;
  /** Per-site allocation rates are smoothed over about this long, as the dashboard's rate() is. */
  private static final double RATE_SECONDS = 30;
  static final List<String> FIGURES = List.of(
      "rss", "heapTotal", "heapUsed", "external", "live", "allocatedBytesPerSecond", "gcPauseMillis");

  private static final String OTHER = SiteKey.OTHER.site();

  private final MeterRegistry registry;
  private final Supplier<LeakVerdict> verdicts;
  private final RecentLines said;
  private final LiveHistory history = new LiveHistory(FIGURES, POINTS);
  private final Map<Meter.Id, Double> siteBytesBefore = new HashMap<>();
  private final Map<Meter.Id, Double> siteRates = new HashMap<>();
  private long recordedAtNanos;
  private double allocatedBefore = Double.NaN;
  private double gcMillisBefore = Double.NaN;
  private volatile List<Map<String, Object>> allocationSites = List.of();

  public LiveFeed(MeterRegistry registry, Supplier<LeakVerdict> verdicts, RecentLines said) {
    this.registry = registry;
    this.verdicts = verdicts;
    this.said = said;
  }

  /** Takes one reading; the collector thread calls it every {@link #PERIOD}. */
  public void record() {
    long now = System.nanoTime();
    double seconds = recordedAtNanos == 0 ? Double.NaN : (now - recordedAtNanos) / 1e9;
    recordedAtNanos = now;
    double allocated = counter("memwatch.allocated");
    double gcMillis = registry.find("jvm.gc.pause").timers().stream()
        .mapToDouble(timer -> timer.totalTime(TimeUnit.MILLISECONDS)).sum();
    history.add(System.currentTimeMillis(),
        gauge("memwatch.rss"), gauge("memwatch.heap.total"), gauge("memwatch.heap.used"), gauge("memwatch.external"),
        gauge("memwatch.heap.live"), (allocated - allocatedBefore) / seconds, gcMillis - gcMillisBefore);
    allocatedBefore = allocated;
    gcMillisBefore = gcMillis;
    allocationSites = rankAllocationSites(seconds);
  }

  private List<Map<String, Object>> rankAllocationSites(double seconds) {
    Map<Meter.Id, Double> bytesNow = new HashMap<>();
    for (FunctionCounter counter : registry.find("memwatch.site.allocated").functionCounters()) {
      if (!OTHER.equals(counter.getId().getTag("site"))) { // the sum of the sites without a series: not a site
        bytesNow.put(counter.getId(), counter.count());
      }
    }
    double weight = Double.isNaN(seconds) ? 1 : 1 - Math.exp(-seconds / RATE_SECONDS);
    siteRates.keySet().retainAll(bytesNow.keySet());
    bytesNow.forEach((id, bytes) -> {
      Double before = siteBytesBefore.get(id);
      if (before != null && !Double.isNaN(seconds)) {
        double rate = Math.max(0, bytes - before) / seconds;
        siteRates.merge(id, rate * weight, (old, added) -> old * (1 - weight) + added);
      }
    });
    siteBytesBefore.clear();
    siteBytesBefore.putAll(bytesNow);
    return siteRates.entrySet().stream()
        .sorted(Map.Entry.<Meter.Id, Double>comparingByValue().reversed())
        .limit(TOP)
        .map(entry -> site(entry.getKey(), "bytesPerSecond", entry.getValue()))
        .toList();
  }

  /** Everything the page shows, as one JSON object. */
  public String json() {
    Map<String, Object> feed = new LinkedHashMap<>();
    feed.put("now", System.currentTimeMillis());
    feed.put("periodSeconds", PERIOD.toSeconds());
    feed.put("heapMax", LiveHistory.knownOrNull(gauge("memwatch.heap.max")));
    feed.put("containerLimit", LiveHistory.knownOrNull(gauge("memwatch.memory.limit")));
    feed.put("history", history.columns());
    feed.put("verdict", verdict(verdicts.get()));
    feed.put("liveSites", liveSites());
    feed.put("allocationSites", allocationSites);
    feed.put("retainers", retainers());
    List<Map<String, Object>> lines = new ArrayList<>();
    for (RecentLines.Line line : said.lines()) {
      lines.add(Map.of("at", line.epochMillis(), "text", line.text()));
    }
    feed.put("said", lines);
    return new JSON().toJSON(feed);
  }

  private static Map<String, Object> verdict(LeakVerdict verdict) {
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("suspected", verdict.suspected());
    shown.put("summary", verdict.summary());
    shown.put("growthBytesPerSecond", LiveHistory.knownOrNull(verdict.growthBytesPerSecond()));
    shown.put("exhaustionSeconds", LiveHistory.knownOrNull(verdict.exhaustionSeconds()));
    shown.put("windowSeconds", verdict.windowSeconds());
    shown.put("since", verdict.sinceMillis() < 0 ? null
        : System.currentTimeMillis() - (JvmClock.uptimeMillis() - verdict.sinceMillis()));
    return shown;
  }

  private List<Map<String, Object>> liveSites() {
    return registry.find("memwatch.site.live").gauges().stream()
        .filter(gauge -> !OTHER.equals(gauge.getId().getTag("site")))
        .sorted(Comparator.comparingDouble(Gauge::value).reversed())
        .limit(TOP)
        .map(gauge -> site(gauge.getId(), "bytes", gauge.value()))
        .toList();
  }

  private List<Map<String, Object>> retainers() {
    return registry.find("memwatch.leak.retainer").gauges().stream()
        .sorted(Comparator.comparingDouble(Gauge::value).reversed())
        .map(gauge -> Map.<String, Object>of("retainer", gauge.getId().getTag("retainer"), "bytes", gauge.value()))
        .toList();
  }

  private static Map<String, Object> site(Meter.Id id, String figure, double value) {
    Map<String, Object> site = new LinkedHashMap<>();
    site.put("site", id.getTag("site"));
    site.put("type", id.getTag("type"));
    site.put(figure, value);
    return site;
  }

  private double gauge(String name) {
    Gauge gauge = registry.find(name).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  private double counter(String name) {
    FunctionCounter counter = registry.find(name).functionCounter();
    return counter == null ? Double.NaN : counter.count();
  }
}
