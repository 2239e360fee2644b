package io.memwatch.collector.sites;

import java.lang.ref.WeakReference;

/**
 * Which newly allocated objects the collections so far have judged: when the weak reference to a
 * followed object that died young has been cleared, what is still followed has survived the
 * collections it met; objects no collection has looked at yet have not.
 *
 * <p>Measured rather than assumed, with probes: about once a second an object is allocated and
 * dropped at once, followed like a sample. When its weak reference is cleared, the collector has
 * judged what was allocated just before it. Most collectors do that at the next young collection;
 * generational ZGC's minor cycles treat weak references as strong, so there a probe, like every
 * followed object, lives until it has been promoted and an old collection has marked around it.
 *
 * <p>Judged per stretch of time, not once for all: a young collection can fail to clear a weak
 * reference whose referent died young. HotSpot's young collections (Serial, Parallel, G1) discover
 * only references that stay young; one promoted by the same collection (its survivor space full, as
 * under a growing live set) keeps its referent, promoted too, until an old collection. Objects met
 * first by such a collection are no more judged than the probe beside them, whatever later
 * collections clear; and as the collection copies in its own order, not in allocation order, a probe
 * cleared cannot vouch for every object of its stretch: each followed object carries a control of
 * its own too (see {@code SurvivorTracker}).
 *
 * <p>Memory is fixed: a ring of probes in allocation order. Not thread-safe: the collector thread
 * owns it.
 */
final class JudgedHorizon {
  private final WeakReference<?>[] probes;
  private final long[] allocatedAt;
  private final boolean[] cleared;
  private int oldest;
  private int count;
  /** Every probe allocated up to this moment has been cleared and let go of. */
  private long letGoUpTo = -1;
  private long newestCleared = -1;

  JudgedHorizon(int capacity) {
    this.probes = new WeakReference<?>[capacity];
    this.allocatedAt = new long[capacity];
    this.cleared = new boolean[capacity];
  }

  /** Drops a new probe, allocated at {@code nowMillis} (JVM uptime, never earlier than the last). */
  void probe(long nowMillis) {
    probe(nowMillis, new Object());
  }

  /**
   * The same with a given referent: a test's stand-in for one a collection failed to clear. With
   * the ring full, the oldest probe makes room only once cleared: until then, nothing allocated
   * after it is judged, and a newer probe would say nothing of that.
   */
  void probe(long nowMillis, Object referent) {
    update();
    if (count == probes.length) {
      if (!cleared[oldest]) {
        return;
      }
      letGoUpTo = allocatedAt[oldest];
      oldest = (oldest + 1) % probes.length;
      count--;
    }
    int slot = (oldest + count) % probes.length;
    probes[slot] = new WeakReference<>(referent);
    allocatedAt[slot] = nowMillis;
    cleared[slot] = false;
    count++;
  }

  /** JVM uptime of the newest probe cleared, -1 before any was: nothing after it is judged. */
  long millis() {
    update();
    return newestCleared;
  }

  /**
   * Whether an object allocated at {@code allocatedAtMillis} has been judged: the first probe
   * allocated after it has been cleared, as of the last {@link #update()}.
   */
  boolean judged(long allocatedAtMillis) {
    if (allocatedAtMillis <= letGoUpTo) {
      return true;
    }
    int low = 0;
    int high = count; // the first probe at or after the object is in [low, high]; count for none
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (allocatedAt[(oldest + middle) % probes.length] >= allocatedAtMillis) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low < count && cleared[(oldest + low) % probes.length];
  }

  /** Looks at the probes again; call before asking {@link #judged} about many objects. */
  void update() {
    for (int i = 0; i < count; i++) {
      int slot = (oldest + i) % probes.length;
      if (!cleared[slot] && probes[slot].get() == null) {
        cleared[slot] = true;
        probes[slot] = null;
        newestCleared = Math.max(newestCleared, allocatedAt[slot]);
      }
    }
  }
}
