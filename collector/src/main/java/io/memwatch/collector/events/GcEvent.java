package io.memwatch.collector.events;

import java.util.List;

/**
 * One finished garbage collection, as the JVM reported it.
 *
 * <p>Only heap pools are kept: the live set and the leak verdict are about the heap, and metaspace
 * or code cache figures are exported by Micrometer's own binders.
 *
 * @param collector the collector bean's name, e.g. {@code G1 Young Generation}
 * @param action what the JVM says the collection was, e.g. {@code end of major GC}
 * @param cause why it ran, e.g. {@code Allocation Failure} or {@code System.gc()}
 * @param startMillis JVM uptime when the collection started
 * @param durationMillis how long it took (for concurrent collectors this is not a pause)
 * @param pools heap pool usage before and after
 */
public record GcEvent(
    String collector,
    String action,
    String cause,
    long startMillis,
    long durationMillis,
    List<PoolUsage> pools) {

  /** The action of {@link #marking}: a cycle that marked the old generation, reported by no bean. */
  public static final String MARKING = "end of old generation marking";

  public GcEvent {
    pools = List.copyOf(pools);
  }

  /**
   * A concurrent marking of the old generation known from elsewhere than the collector beans (Java
   * 17's G1 reports its concurrent cycles to the Flight Recorder only): no pool figures, so no
   * reading of the live set, only the news that dead old objects were judged.
   */
  public static GcEvent marking(String collector, long startMillis, long durationMillis) {
    return new GcEvent(collector, MARKING, "concurrent cycle", startMillis, durationMillis, List.of());
  }

  public boolean isMarking() {
    return MARKING.equals(action);
  }

  /** Usage of one heap pool around a collection. {@code max} is -1 where the pool has none. */
  public record PoolUsage(String pool, long usedBefore, long usedAfter, long committedAfter, long max) {}

  public long heapUsedBefore() {
    return pools.stream().mapToLong(PoolUsage::usedBefore).sum();
  }

  public long heapUsedAfter() {
    return pools.stream().mapToLong(PoolUsage::usedAfter).sum();
  }

  /** The moment the collection ended, in JVM uptime milliseconds. */
  public long endMillis() {
    return startMillis + durationMillis;
  }
}
