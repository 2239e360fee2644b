package io.memwatch.collector.leak;

import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.sites.LiveGraphWalk;
import io.memwatch.collector.sites.LiveGraphWalks;
import io.memwatch.collector.sites.SiteKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks of the live graph as the JVM's leak profiler would make them of a few sites, each sampled
 * once every {@code everyMillis} of allocation time from its start, its objects reachable while
 * younger than its objects' life ({@link Long#MAX_VALUE} for a leak) and, dead, still held by the
 * sampler (no old collection clears them here). A new walk at most every 20 s, as memwatch makes them.
 * Sampling from the start of time unless {@link #startingOnGrowth}.
 */
final class SampledWalks implements LiveGraphWalks {
  private record Site(SiteKey key, boolean hooked, long fromMillis, long everyMillis, long lifeMillis) {}

  private final List<Site> sites = new ArrayList<>();
  private LiveGraphWalk latest = LiveGraphWalk.NONE;
  private long sampledSince = -1;
  long now;
  int walks;

  /** The profiler starts only at {@link #growthSeen}, as memwatch starts it, and samples from then on. */
  SampledWalks startingOnGrowth() {
    sampledSince = Long.MAX_VALUE;
    return this;
  }

  /** The collector saw growth: a profiler {@link #startingOnGrowth} starts now, if it has not yet. */
  void growthSeen() {
    if (sampledSince == Long.MAX_VALUE) {
      sampledSince = now;
    }
  }

  @Override
  public long sampledSinceMillis() {
    return sampledSince;
  }

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
  public LiveGraphWalk recent() {
    if (sampledSince == Long.MAX_VALUE) {
      return LiveGraphWalk.NONE;
    }
    if (latest.atMillis() != Long.MIN_VALUE && now - latest.atMillis() < 20_000) {
      return latest;
    }
    List<HeldObject> objects = new ArrayList<>();
    for (Site site : sites) {
      for (long at = site.fromMillis(); at < now; at += site.everyMillis()) {
        if (at < sampledSince) {
          continue;
        }
        objects.add(new HeldObject(at, site.key(), site.hooked(), now - at < site.lifeMillis(), null));
      }
    }
    walks++;
    latest = new LiveGraphWalk(now, objects);
    return latest;
  }
}
