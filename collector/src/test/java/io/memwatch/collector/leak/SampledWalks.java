package io.memwatch.collector.leak;

import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.sites.LiveGraphWalk;
import io.memwatch.collector.sites.SiteKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Walks of the live graph as the JVM's leak profiler would make them of a few sites, each sampled
 * once every {@code everyMillis} of allocation time from its start, its objects reachable while
 * younger than its objects' life ({@link Long#MAX_VALUE} for a leak) and, dead, still held by the
 * sampler (no old collection clears them here). A new walk at most every 20 s, as memwatch makes them.
 */
final class SampledWalks implements Supplier<LiveGraphWalk> {
  private record Site(SiteKey key, boolean hooked, long fromMillis, long everyMillis, long lifeMillis) {}

  private final List<Site> sites = new ArrayList<>();
  private LiveGraphWalk latest = LiveGraphWalk.NONE;
  long now;
  int walks;

  /** A site in hooked code: the hooks follow its objects. */
  SampledWalks site(SiteKey key, long fromMillis, long everyMillis, long lifeMillis) {
    sites.add(new Site(key, true, fromMillis, everyMillis, lifeMillis));
    return this;
  }

  /** A site whose objects the JDK or a library makes: only the JVM's sampler counts them. */
  SampledWalks unhookedSite(SiteKey key, long fromMillis, long everyMillis, long lifeMillis) {
    sites.add(new Site(key, false, fromMillis, everyMillis, lifeMillis));
    return this;
  }

  @Override
  public LiveGraphWalk get() {
    if (latest.atMillis() != Long.MIN_VALUE && now - latest.atMillis() < 20_000) {
      return latest;
    }
    List<HeldObject> objects = new ArrayList<>();
    for (Site site : sites) {
      for (long at = site.fromMillis(); at < now; at += site.everyMillis()) {
        objects.add(new HeldObject(at, site.key(), site.hooked(), now - at < site.lifeMillis(), null));
      }
    }
    walks++;
    latest = new LiveGraphWalk(now, objects);
    return latest;
  }
}
