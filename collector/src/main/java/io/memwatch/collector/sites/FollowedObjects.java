package io.memwatch.collector.sites;

import java.util.Map;

/**
 * What the followed sample of objects tells about the allocation sites, asked on the collector
 * thread after collections. Only objects the collections have judged count (see {@code
 * JudgedHorizon}): allocated long enough ago that, had they died young, their weak references
 * would have been cleared. What dies old is judged only by a collection of the old generation.
 */
public interface FollowedObjects {
  /** Nothing followed: sites say nothing. */
  FollowedObjects NONE = new FollowedObjects() { };

  /** Bytes still reachable per site. */
  default Map<SiteKey, Long> liveBytesBySite() {
    return Map.of();
  }

  /**
   * The sites that still hold objects they allocated at every stage of the last {@code
   * windowMillis} judged, as a leaking site does, rather than only lately (a cache, a session) or
   * in a burst (a batch), with the bytes they kept of that time; see {@link Retention#isSteady}.
   */
  default Map<SiteKey, Long> steadilyKept(long windowMillis) {
    return Map.of();
  }

  /**
   * Per site, the bytes still held of what it allocated in the last {@code windowMillis} judged
   * (or the part of it since objects were first followed), split into {@link Retention#STAGES}
   * spans of allocation time, oldest first. Empty where it cannot tell. Before the old generation is
   * first collected, objects that died there still count.
   */
  default Map<SiteKey, long[]> keptByStage(long windowMillis) {
    return Map.of();
  }

  /**
   * How many times a collection has been seen to judge the old generation (see {@code
   * MarkingProbe}); when it grows, the collection just reported came after one.
   */
  default long oldGenerationMarkings() {
    return 0;
  }

  /**
   * At most how many bytes allocated from {@code fromMillis} to {@code toMillis} (JVM uptime) can
   * still be alive: the followed objects of then still reachable (those not judged yet counted as
   * alive) and every byte the JVM's sampler saw allocated then where no hook follows, or {@code
   * unhookedAtMostBytes} of those if less (infinite where nothing else tells; a walk of the live
   * graph can). Infinite where it cannot tell: the sampler was not running all that time, samples
   * were lost to a full queue, or it is too long ago.
   */
  default double aliveAtMostBytes(long fromMillis, long toMillis, double unhookedAtMostBytes) {
    return Double.POSITIVE_INFINITY;
  }

  /**
   * JVM uptime from which {@link #aliveAtMostBytes} can tell, {@link Long#MAX_VALUE} while it cannot:
   * the JVM's sampler counts what was allocated before it started as one lump, at its start.
   */
  default long aliveKnownSinceMillis() {
    return Long.MAX_VALUE;
  }
}
