package io.memwatch.collector.sites;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.memwatch.collector.events.JvmClock;
import io.memwatch.collector.log.Log;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@code memwatch_site_live_bytes{site,type}} for the sites with the most surviving bytes, and the
 * suspects of a leak: the sites that keep what they allocate whenever they allocated it.
 *
 * <p>Two kinds of sites, two estimates. Where the hooks follow objects ({@link SurvivorTracker}),
 * a site's live bytes are its followed survivors' weights. Objects no hook sees (made by the JDK or
 * a library, named after the user's line that led to them) are known only through the JVM's own
 * leak profiler ({@link OldObjects}), a few hundred live objects JVM-wide with no weight of their
 * own: what the followed objects do not explain, of the live set or of its growth, is shared out
 * among those sites in proportion to their samples.
 *
 * <p>Runs on the collector thread; gauges read the latest figures from scrape threads.
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

  /** The JVM's sample of live objects costs tens of milliseconds to read: at most this often for the gauges. */
  static final long OLD_OBJECTS_PERIOD_MILLIS = 60_000;

  private final SurvivorTracker tracker;
  private final MeterRegistry registry;
  private final int topSites;
  private final OldObjects oldObjects;
  private final LongSupplier liveSetBytes;
  private Map<SiteKey, Double> oldObjectShares = Map.of();
  private long oldObjectsReadAt;
  private boolean oldObjectsRead;
  private final Map<SiteKey, Long> current = new ConcurrentHashMap<>();
  private final Map<SiteKey, Gauge> published = new HashMap<>();
  private volatile long otherBytes;

  /**
   * @param liveSetBytes the heap's live set now, -1 where unknown
   */
  public LiveSitesPublisher(SurvivorTracker tracker, MeterRegistry registry, int topSites, OldObjects oldObjects,
      LongSupplier liveSetBytes) {
    this.tracker = tracker;
    this.registry = registry;
    this.topSites = topSites;
    this.oldObjects = oldObjects;
    this.liveSetBytes = liveSetBytes;
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
    Map<SiteKey, Long> live = new HashMap<>(tracker.liveBytesBySite());
    addOldObjectSites(live);
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

  // The sites only the JVM's sampler names, with their share of what the followed objects do not
  // explain of the live set. Read again at most every OLD_OBJECTS_PERIOD_MILLIS.
  private void addOldObjectSites(Map<SiteKey, Long> live) {
    long now = JvmClock.uptimeMillis();
    if ((!oldObjectsRead || now - oldObjectsReadAt >= OLD_OBJECTS_PERIOD_MILLIS)) {
      // Until a read finds objects (the JVM's sampler starts after the host's start-up), ask each time.
      List<OldObject> sample = oldObjects.sample();
      oldObjectsRead = !sample.isEmpty();
      oldObjectsReadAt = now;
      oldObjectShares = shares(sample, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    long followed = live.values().stream().mapToLong(Long::longValue).sum();
    long liveSet = liveSetBytes.getAsLong();
    double unhooked = unhookedBytes(oldObjectShares, Math.max(0, liveSet - followed), liveSet);
    double unhookedShare = total(oldObjectShares);
    // memwatch's own objects are part of the live set, so they keep their share, but they are no site of the host's.
    oldObjectShares.forEach((site, share) -> {
      if (!site.isMemwatchs()) {
        live.putIfAbsent(site, Math.round(share / unhookedShare * unhooked));
      }
    });
  }

  /**
   * The sites that kept objects allocated from {@code fromMillis} to {@code toMillis} (JVM uptime),
   * steady ones first, then by the bytes they kept; at most ten. Call after a collection: objects
   * allocated since it have not had a chance to die yet.
   *
   * @param grownBytes how much the live set grew in the window: what the followed objects kept of
   *     it is theirs, the rest is shared out among the sites of the JVM's sample of live objects
   */
  public List<Suspect> suspects(long fromMillis, long toMillis, double grownBytes) {
    List<Suspect> kept = new ArrayList<>();
    Map<SiteKey, Long> live = tracker.liveBytesBySite();
    // Objects allocated since the judged horizon have not been looked at by any collection.
    long judgedTo = Math.min(toMillis, tracker.judgedBeforeMillis());
    long[] keptByFollowed = {0};
    tracker.retainedByAllocationTime(fromMillis, judgedTo, Retention.STAGES).forEach((site, stages) -> {
      long retained = Arrays.stream(stages).sum();
      keptByFollowed[0] += retained;
      kept.add(new Suspect(site, live.getOrDefault(site, retained), retained, Retention.isSteady(stages)));
    });
    List<OldObject> sample = oldObjects.sample();
    Map<SiteKey, long[]> stages = stagesOf(sample, fromMillis, toMillis);
    Map<SiteKey, Double> shares = shares(sample, fromMillis, toMillis);
    double unhooked = unhookedBytes(shares, Math.max(0, grownBytes - keptByFollowed[0]), grownBytes);
    double unhookedShare = total(shares);
    shares.forEach((site, share) -> {
      // A share is a count of samples, not of bytes: one sample of memwatch's own tables would
      // claim its share of the application's growth. memwatch's own sites are never suspects.
      if (!live.containsKey(site) && !site.isMemwatchs() && site.namesCode()) {
        long estimate = Math.round(share / unhookedShare * unhooked);
        kept.add(new Suspect(site, estimate, estimate, Retention.isSteady(stages.get(site))));
      }
    });
    kept.replaceAll(suspect -> reachableOnly(suspect, fromMillis, toMillis));
    kept.replaceAll(suspect -> live.containsKey(suspect.site()) ? sampledShareOnly(suspect, keptByFollowed[0], fromMillis, toMillis) : suspect);
    // A line that kept a twentieth of the growth or less, all its types together, is within the
    // estimates' error (a few samples of 512 KiB each): naming it would send someone to read code
    // for nothing. Together: a leak of parsed objects spreads over many types at one line.
    Map<String, Long> byLine = new HashMap<>();
    kept.forEach(suspect -> byLine.merge(suspect.site().site(), suspect.retainedBytes(), Long::sum));
    kept.removeIf(suspect -> grownBytes > 0 && byLine.get(suspect.site().site()) <= grownBytes / 20);
    kept.sort(Comparator.comparing(Suspect::steady).thenComparingLong(Suspect::retainedBytes).reversed());
    return List.copyOf(kept.subList(0, Math.min(10, kept.size())));
  }

  // What a busy site promoted and then let go looks kept until the old generation is collected; the
  // JVM's latest walk of the live graph, where it holds enough of the site's objects of the window,
  // says how much of it is still reachable (a leak's all, a busy site's garbage none).
  private Suspect reachableOnly(Suspect suspect, long fromMillis, long toMillis) {
    LiveGraphWalk walk = oldObjects.latestWalk();
    if (!walk.freshAt(JvmClock.uptimeMillis())) {
      return suspect;
    }
    LiveGraphWalk.Reached reached = walk.reached(suspect.site(), fromMillis, toMillis);
    Log.debug("suspect " + suspect.site().site() + " " + suspect.site().type() + ", " + (suspect.retainedBytes() >> 20)
        + " MiB kept: the latest walk reached " + reached.reached() + " of its " + reached.sampled() + " sampled objects of the window");
    double share = reached.share();
    if (Double.isNaN(share) || share >= 1) {
      return suspect;
    }
    return new Suspect(suspect.site(), Math.round(suspect.liveBytes() * share), Math.round(suspect.retainedBytes() * share),
        suspect.steady() && share > LiveGraphWalk.LET_GO_AT_MOST);
  }

  // A hooked site keeps no more of what the followed objects kept in the window than its share of
  // the hooked objects the JVM's latest walk sampled from then and reached: on Parallel, Java 25, a
  // leak's site had 16 of 16 while request garbage the young collections had promoted showed 49 MiB
  // kept by the followed objects, and was once named first (56 MiB against the leak's 38).
  private Suspect sampledShareOnly(Suspect suspect, long keptByFollowed, long fromMillis, long toMillis) {
    LiveGraphWalk walk = oldObjects.latestWalk();
    if (!walk.freshAt(JvmClock.uptimeMillis())) {
      return suspect;
    }
    double atMost = walk.hookedKeptShareAtMost(suspect.site(), fromMillis, toMillis) * keptByFollowed;
    if (suspect.retainedBytes() <= atMost) {
      return suspect;
    }
    double share = atMost / suspect.retainedBytes();
    return new Suspect(suspect.site(), Math.round(suspect.liveBytes() * share), Math.round(atMost),
        suspect.steady() && share > LiveGraphWalk.LET_GO_AT_MOST);
  }

  /**
   * Each site no hook follows, with its share of the JVM's sampled objects allocated between two
   * moments, the hooked ones counted too: together, these shares are how much of it no hook follows.
   */
  static Map<SiteKey, Double> shares(List<OldObject> sample, long fromMillis, long toMillis) {
    Map<SiteKey, Integer> counts = new HashMap<>();
    int total = 0;
    for (OldObject object : sample) {
      if (object.allocatedAtMillis() >= fromMillis && object.allocatedAtMillis() < toMillis) {
        if (!object.hooked()) {
          counts.merge(object.site(), 1, Integer::sum);
        }
        total++;
      }
    }
    Map<SiteKey, Double> shares = new HashMap<>();
    for (Map.Entry<SiteKey, Integer> count : counts.entrySet()) {
      shares.put(count.getKey(), count.getValue() / (double) total);
    }
    return shares;
  }

  // What of {@code bytes} (the live set, or its growth) no hook follows: what the followed objects do
  // not explain of it, but no more than the JVM's sample says. Where the hooks made most of what it
  // holds, the rest is not the unhooked sites' (on Parallel, garbage a busy hooked site promoted
  // counts in a window's growth until the first full collection, and was put on the one Object[] an
  // ArrayList grew by: 53 MiB).
  private static double unhookedBytes(Map<SiteKey, Double> shares, double unexplainedBytes, double bytes) {
    return Math.min(unexplainedBytes, total(shares) * Math.max(0, bytes));
  }

  private static double total(Map<SiteKey, Double> shares) {
    double total = 0;
    for (double share : shares.values()) {
      total += share;
    }
    return total;
  }

  // The sampled objects per site and stage of allocation time, as a count of objects.
  private static Map<SiteKey, long[]> stagesOf(List<OldObject> sample, long fromMillis, long toMillis) {
    Map<SiteKey, long[]> stages = new HashMap<>();
    double span = Math.max(1, toMillis - fromMillis);
    for (OldObject object : sample) {
      long at = object.allocatedAtMillis();
      if (!object.hooked() && at >= fromMillis && at < toMillis) {
        int stage = (int) Math.min(Retention.STAGES - 1, (at - fromMillis) * Retention.STAGES / span);
        stages.computeIfAbsent(object.site(), site -> new long[Retention.STAGES])[stage]++;
      }
    }
    return stages;
  }

}
