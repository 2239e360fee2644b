package io.memwatch.collector.sites;

import java.util.Map;

/**
 * What the followed sample of objects tells about the allocation sites, asked on the collector
 * thread right after a collection of the old generation, when every dead object's weak reference
 * has been cleared and what is still followed is reachable.
 */
public interface FollowedObjects {
  /** Nothing followed: sites say nothing. */
  FollowedObjects NONE = new FollowedObjects() {
    @Override
    public Map<SiteKey, Long> liveBytesBySite(long allocatedBeforeMillis) {
      return Map.of();
    }

    @Override
    public Map<SiteKey, Long> steadilyKept(long fromMillis, long toMillis) {
      return Map.of();
    }
  };

  /**
   * Bytes still reachable per site, of the objects allocated before {@code allocatedBeforeMillis}
   * (JVM uptime): those allocated since the last collection have not been judged by any.
   */
  Map<SiteKey, Long> liveBytesBySite(long allocatedBeforeMillis);

  /**
   * The sites that still hold objects they allocated at every stage from {@code fromMillis} to
   * {@code toMillis} (JVM uptime), as a leaking site does, rather than only lately (a cache, a
   * session) or in a burst (a batch), with the bytes they kept of that time; see {@link
   * Retention#isSteady}.
   */
  Map<SiteKey, Long> steadilyKept(long fromMillis, long toMillis);
}
