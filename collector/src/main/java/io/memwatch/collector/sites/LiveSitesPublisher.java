package io.memwatch.collector.sites;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code memwatch_site_live_bytes{site,type}} for the sites with the most surviving bytes, and the
 * suspects: the sites whose surviving bytes grew the most over the recent updates. Runs on the
 * collector thread; gauges read the latest figures from scrape threads.
 */
public final class LiveSitesPublisher {
  static final String NAME = "memwatch.site.live";
  private static final String DESCRIPTION = "Estimated bytes still reachable from sampled allocations, per site and type, top sites";

  /** A site whose live bytes grew, and by how much over the window. */
  public record Suspect(SiteKey site, long liveBytes, long growthBytes) {}

  private final SurvivorTracker tracker;
  private final MeterRegistry registry;
  private final int topSites;
  private final int historyLength;
  private final Map<SiteKey, Long> current = new ConcurrentHashMap<>();
  private final Map<SiteKey, Gauge> published = new HashMap<>();
  private final Map<SiteKey, Deque<Long>> history = new HashMap<>();
  private volatile List<Suspect> suspects = List.of();
  private volatile long otherBytes;

  /** @param historyLength how many updates back growth is measured over */
  public LiveSitesPublisher(SurvivorTracker tracker, MeterRegistry registry, int topSites, int historyLength) {
    this.tracker = tracker;
    this.registry = registry;
    this.topSites = topSites;
    this.historyLength = historyLength;
    Gauge.builder(NAME, this, p -> p.otherBytes)
        .description(DESCRIPTION)
        .baseUnit(BaseUnits.BYTES)
        .tags("site", SiteKey.OTHER.site(), "type", SiteKey.OTHER.type())
        .register(registry);
  }

  /** Counts the survivors again; call after collections (at most every second or so). */
  public void update() {
    Map<SiteKey, Long> live = tracker.liveBytesBySite();
    List<Map.Entry<SiteKey, Long>> ranked = new ArrayList<>(live.entrySet());
    ranked.sort(Map.Entry.<SiteKey, Long>comparingByValue().reversed());
    List<Map.Entry<SiteKey, Long>> top = ranked.subList(0, Math.min(topSites, ranked.size()));

    current.clear();
    long other = live.values().stream().mapToLong(Long::longValue).sum();
    for (Map.Entry<SiteKey, Long> entry : top) {
      current.put(entry.getKey(), entry.getValue());
      other -= entry.getValue();
      published.computeIfAbsent(entry.getKey(), key -> Gauge.builder(NAME, current, c -> c.getOrDefault(key, 0L))
          .description(DESCRIPTION)
          .baseUnit(BaseUnits.BYTES)
          .tags("site", key.site(), "type", key.type())
          .strongReference(true)
          .register(registry));
    }
    otherBytes = other;
    published.entrySet().removeIf(entry -> {
      if (current.containsKey(entry.getKey())) {
        return false;
      }
      registry.remove(entry.getValue());
      return true;
    });
    suspects = rankSuspects(live);
  }

  private List<Suspect> rankSuspects(Map<SiteKey, Long> live) {
    history.keySet().retainAll(live.keySet());
    List<Suspect> growing = new ArrayList<>();
    for (Map.Entry<SiteKey, Long> entry : live.entrySet()) {
      Deque<Long> past = history.computeIfAbsent(entry.getKey(), k -> new ArrayDeque<>());
      past.addLast(entry.getValue());
      if (past.size() > historyLength) {
        past.removeFirst();
      }
      long growth = entry.getValue() - past.peekFirst();
      if (growth > 0) {
        growing.add(new Suspect(entry.getKey(), entry.getValue(), growth));
      }
    }
    growing.sort(Comparator.comparingLong(Suspect::growthBytes).reversed());
    return List.copyOf(growing.subList(0, Math.min(10, growing.size())));
  }

  /** Sites whose surviving bytes grew over the recent updates, most growth first. */
  public List<Suspect> suspects() {
    return suspects;
  }
}
