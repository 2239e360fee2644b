package io.memwatch.collector.retainers;

import io.memwatch.collector.sites.SiteKey;

/**
 * One of the JVM's sampled live objects, read with its path to a GC root.
 *
 * @param allocatedAtMillis JVM uptime when it was allocated
 * @param site where it was allocated, hooked code's sites included (the allocating frame, as the
 *     hooks name it); null where unknown
 * @param hooked whether it was allocated in hooked code, where the hooks follow objects; if not,
 *     the JVM's allocation sampler is what counted its bytes
 * @param reachable whether the JVM's search from the roots reached it, or could not tell (it ran
 *     out of time): false only for an object that died after a collection kept it and that no
 *     collection has cleared since, garbage that still looks alive to everything else
 * @param retainer what keeps it, named by the link of its path that a person would fix (a static
 *     field, or a field of an object of the user's own code): {@code example.Audit.SEEN
 *     (java.util.HashMap)}; null where the JVM found no path within its time limit
 */
public record HeldObject(long allocatedAtMillis, SiteKey site, boolean hooked, boolean reachable, String retainer) {
  /** An object taken as reachable, with a retainer or none, and nothing known of its site. */
  public HeldObject(long allocatedAtMillis, String retainer) {
    this(allocatedAtMillis, null, false, true, retainer);
  }

  /**
   * Whether memwatch itself made it ({@link SiteKey#isMemwatchs}). The JDK's temporary files, for
   * one, seed a static random generator the first time memwatch dumps its recording, and what that
   * keeps would otherwise look like a leak's objects.
   */
  public boolean isMemwatchs() {
    return site != null && site.isMemwatchs();
  }
}
