package io.memwatch.collector.sites;

/**
 * One of the objects the JVM's own leak profiler keeps a sample of while they live (JFR's {@code
 * jdk.OldObjectSample}: about 256 of them, JVM-wide, chosen as they are allocated and dropped as
 * they die, preferring those that outlive their neighbours).
 *
 * @param site where it was allocated, named like any sample's site; null where the hooks own it
 * @param allocatedAtMillis JVM uptime when it was allocated
 */
public record OldObject(SiteKey site, long allocatedAtMillis) {
  /** Whether the hooks follow objects of this site themselves. */
  public boolean hooked() {
    return site == null;
  }
}
