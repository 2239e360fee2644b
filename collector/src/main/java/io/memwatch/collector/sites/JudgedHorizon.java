package io.memwatch.collector.sites;

import java.lang.ref.WeakReference;

/**
 * How far back the collections so far have judged newly allocated objects: before the horizon,
 * the weak reference to a followed object that died young has been cleared, so what is still
 * followed from then has survived the collections it met; objects allocated since have not been
 * looked at yet.
 *
 * <p>Measured rather than assumed, with probes: now and then an object is allocated and dropped at
 * once, followed like a sample. When its weak reference is cleared, the collector has judged what
 * was allocated with it. Most collectors do that at the next young collection; generational ZGC's
 * minor cycles treat weak references as strong, so there a probe, like every followed object,
 * lives until it has been promoted and an old collection has marked around it, cycles later.
 *
 * <p>Memory is fixed: a ring of probes. Not thread-safe: the collector thread owns it.
 */
final class JudgedHorizon {
  private final Probe[] probes;
  private int next;
  private long millis = -1;

  private static final class Probe extends WeakReference<Object> {
    final long allocatedAt;

    Probe(long allocatedAt) {
      super(new Object());
      this.allocatedAt = allocatedAt;
    }
  }

  JudgedHorizon(int capacity) {
    this.probes = new Probe[capacity];
  }

  /** Drops a new probe, allocated at {@code nowMillis} (JVM uptime). */
  void probe(long nowMillis) {
    advance();
    probes[next] = new Probe(nowMillis);
    next = (next + 1) % probes.length;
  }

  /** JVM uptime before which allocated objects have been judged, -1 before any was. */
  long millis() {
    advance();
    return millis;
  }

  private void advance() {
    for (int i = 0; i < probes.length; i++) {
      Probe probe = probes[i];
      if (probe != null && probe.get() == null) {
        millis = Math.max(millis, probe.allocatedAt);
        probes[i] = null;
      }
    }
  }
}
