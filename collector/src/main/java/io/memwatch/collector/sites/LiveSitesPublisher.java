package io.memwatch.collector.sites;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code memwatch_site_live_bytes{site,type}} for the sites with the most surviving bytes, and the
 * suspects of a leak: the sites whose followed objects survive whenever they were allocated. Runs
 * on the collector thread; gauges read the latest figures from scrape threads.
 */
public final class LiveSitesPublisher {
  static final String NAME = "memwatch.site.live";
  private static final String DESCRIPTION = "Estimated bytes still reachable from sampled allocations, per site and type, top sites";

  /**
   * A site that kept objects allocated in a window.
   *
   * @param retainedBytes bytes allocated in the window that are still reachable
   * @param steady whether it kept some of what it allocated at every stage of the window, as a
   *     leak does, rather than only lately (a cache, a session) or in a burst (a batch)
   */
  public record Suspect(SiteKey site, long liveBytes, long retainedBytes, boolean steady) {}


  private final SurvivorTracker tracker;
  private final MeterRegistry registry;
  private final int topSites;
  private final Map<SiteKey, Long> current = new ConcurrentHashMap<>();
  private final Map<SiteKey, Gauge> published = new HashMap<>();
  private volatile long otherBytes;

  public LiveSitesPublisher(SurvivorTracker tracker, MeterRegistry registry, int topSites) {
    this.tracker = tracker;
    this.registry = registry;
    this.topSites = topSites;
    Gauge.builder(NAME, this, p -> p.otherBytes)
        .description(DESCRIPTION)
        .baseUnit(BaseUnits.BYTES)
        .tags("site", SiteKey.OTHER.site(), "type", SiteKey.OTHER.type())
        .register(registry);
  }

  /** Counts the survivors again; call after collections (at most every second or so). */
  public void update() {
    // Only what collections have judged: counting objects allocated since would show every busy
    // site's young garbage as live.
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
  }

  /**
   * The sites that kept objects allocated from {@code fromMillis} to {@code toMillis} (JVM uptime),
   * steady ones first, then by the bytes they kept; at most ten. Call after a collection: objects
   * allocated since it have not had a chance to die yet.
   */
  public List<Suspect> suspects(long fromMillis, long toMillis) {
    // Objects allocated since the judged horizon have not been looked at by any collection.
    toMillis = Math.min(toMillis, tracker.judgedBeforeMillis());
    List<Suspect> kept = new ArrayList<>();
    Map<SiteKey, Long> live = tracker.liveBytesBySite();
    tracker.retainedByAllocationTime(fromMillis, toMillis, Retention.STAGES).forEach((site, stages) -> {
      long retained = 0;
      for (long bytes : stages) {
        retained += bytes;
      }
      kept.add(new Suspect(site, live.getOrDefault(site, retained), retained, Retention.isSteady(stages)));
    });
    kept.sort(Comparator.comparing(Suspect::steady).thenComparingLong(Suspect::retainedBytes).reversed());
    return List.copyOf(kept.subList(0, Math.min(10, kept.size())));
  }

}
