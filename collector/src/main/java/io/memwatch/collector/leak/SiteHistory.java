package io.memwatch.collector.leak;

import io.memwatch.collector.sites.SiteKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reachable bytes of the allocation sites with the most of them, as counted from their
 * followed objects at each collection of the old generation, kept as {@link BucketMinima}.
 *
 * <p>Only those counts matter: a collection of the old generation is when the JVM clears the weak
 * references to every dead object, so what is still followed then is reachable. A site whose count
 * climbs from one such collection to the next keeps what it allocates; the heap's own floors carry
 * the noise of every other site (sessions, caches, buffers coming and going), a site's series only
 * its own, which is what lets a slow leak show in minutes rather than hours.
 *
 * <p>At most {@value #MAX_SITES} sites are kept, the largest; a smaller one gives way to a larger
 * newcomer. Not thread-safe: the collector thread owns it.
 */
final class SiteHistory {
  static final int MAX_SITES = 32;

  private final long bucketMillis;
  private final long spanMillis;
  private final Map<SiteKey, Tracked> sites = new HashMap<>();

  private static final class Tracked {
    final BucketMinima minima;
    long latest;

    Tracked(BucketMinima minima) {
      this.minima = minima;
    }
  }

  SiteHistory(long bucketMillis, long spanMillis) {
    this.bucketMillis = bucketMillis;
    this.spanMillis = spanMillis;
  }

  /** The shortest window whose series hold enough buckets to be judged. */
  long shortestWindowMillis() {
    return GrowthBar.MIN_POINTS * 2 * bucketMillis;
  }

  /** Takes the sites' reachable bytes as counted right after a collection of the old generation. */
  void record(long atMillis, Map<SiteKey, Long> liveBySite) {
    List<Map.Entry<SiteKey, Long>> largest = new ArrayList<>(liveBySite.entrySet());
    largest.sort(Map.Entry.<SiteKey, Long>comparingByValue().reversed());
    for (Map.Entry<SiteKey, Long> entry : largest.subList(0, Math.min(MAX_SITES, largest.size()))) {
      Tracked tracked = sites.get(entry.getKey());
      if (tracked == null && !makeRoomFor(entry.getValue())) {
        continue;
      }
      if (tracked == null) {
        tracked = new Tracked(new BucketMinima(bucketMillis, spanMillis));
        sites.put(entry.getKey(), tracked);
      }
      tracked.latest = entry.getValue();
      tracked.minima.add(atMillis, entry.getValue());
    }
    for (Map.Entry<SiteKey, Tracked> entry : sites.entrySet()) {
      if (!liveBySite.containsKey(entry.getKey())) {
        entry.getValue().latest = 0; // nothing of it survived
        entry.getValue().minima.add(atMillis, 0);
      }
    }
  }

  private boolean makeRoomFor(long bytes) {
    if (sites.size() < MAX_SITES) {
      return true;
    }
    Map.Entry<SiteKey, Tracked> smallest = sites.entrySet().stream()
        .min(Comparator.comparingLong(entry -> entry.getValue().latest)).orElseThrow();
    if (smallest.getValue().latest >= bytes) {
      return false;
    }
    sites.remove(smallest.getKey());
    return true;
  }

  Set<SiteKey> sites() {
    return sites.keySet();
  }

  /** The site's counts in the window ending at {@code nowMillis}; see {@link BucketMinima#series}. */
  int series(SiteKey site, long nowMillis, long windowMillis, double[] seconds, double[] bytes) {
    Tracked tracked = sites.get(site);
    return tracked == null ? 0 : tracked.minima.series(nowMillis, windowMillis, seconds, bytes);
  }
}
