package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import io.memwatch.collector.leak.LiveSample.Kind;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a garbage collection says about the live set, collector by collector.
 *
 * <p>Only collections that reclaimed the old generation measure the live set (a {@link
 * Kind#FLOOR}); after a young collection the old generation still holds every object that died
 * since it was last collected, so the heap after it is an upper bound (a {@link Kind#CEILING}).
 * Pause phases of concurrent collectors measure nothing: they are reported with the heap as it
 * stood mid-cycle.
 */
public final class GcClassifier {
  // Stop-the-world collections of the whole heap.
  private static final Set<String> FULL =
      Set.of("G1 Old Generation", "PS MarkSweep", "MarkSweepCompact");

  // Concurrent cycles that collect the whole heap; "ZGC" is the single bean of Java 11 to 16.
  private static final Set<String> WHOLE_HEAP_CYCLES =
      Set.of("ZGC", "ZGC Cycles", "ZGC Major Cycles", "Shenandoah Cycles");

  // Young-only collections, including generational ZGC's minor cycles.
  private static final Set<String> YOUNG =
      Set.of("G1 Young Generation", "PS Scavenge", "Copy", "ParNew", "ZGC Minor Cycles");

  // Shenandoah reports its pauses by phase; these two finish a cycle stop-the-world.
  private static final Set<String> SHENANDOAH_WHOLE_HEAP_PAUSES =
      Set.of("Degenerated GC", "Full GC");

  private static final String G1_CONCURRENT = "G1 Concurrent GC";

  private GcClassifier() {}

  /** The live-set reading {@code event} gives, or empty when it gives none worth having. */
  public static Optional<LiveSample> sample(GcEvent event) {
    if (event.pools().isEmpty()) {
      return Optional.empty();
    }
    return kind(event)
        .map(
            kind ->
                new LiveSample(
                    event.endMillis(),
                    readingBytes(event),
                    kind,
                    heapMax(event.pools()),
                    unusableBytes(event.pools())));
  }

  static Optional<Kind> kind(GcEvent event) {
    String collector = event.collector();
    String action = event.action() == null ? "" : event.action();
    if (collector == null) {
      return Optional.empty();
    }
    if (collector.equals("Shenandoah Pauses") && SHENANDOAH_WHOLE_HEAP_PAUSES.contains(action)) {
      return Optional.of(Kind.FLOOR);
    }
    if (collector.equals(G1_CONCURRENT) && oldGenerationShrank(event)) {
      // G1's remark pause (Java 20 on) frees the old regions its marking found wholly dead at once:
      // on a heap whose garbage is in whole regions, as a churning cache's is, no mixed collection
      // may follow, and this is the only drop the saw-tooth shows.
      return Optional.of(Kind.FLOOR);
    }
    if (isPausePhase(collector, action)) {
      return Optional.empty();
    }
    if (FULL.contains(collector) || WHOLE_HEAP_CYCLES.contains(collector)) {
      return Optional.of(Kind.FLOOR);
    }
    if (YOUNG.contains(collector)) {
      return Optional.of(youngOrMixed(event));
    }
    // A collector this class does not know: trust what the JVM says the collection was.
    return switch (action) {
      case "end of major GC", "end of GC cycle" -> Optional.of(Kind.FLOOR);
      case "end of minor GC" -> Optional.of(youngOrMixed(event));
      default -> Optional.empty();
    };
  }

  // G1's remark and cleanup pauses ("G1 Concurrent GC", Java 20+) and the pause beans of ZGC and
  // Shenandoah: their durations are not collections, and their before/after figures are the heap
  // mid-cycle, eden and floating garbage included. The cycle that follows gives the real reading.
  private static boolean isPausePhase(String collector, String action) {
    return collector.equals("G1 Concurrent GC")
        || collector.endsWith(" Pauses")
        || action.equals("end of GC pause")
        || action.equals("end of concurrent GC pause");
  }

  // G1 reports its mixed collections through the young bean, with the same action and cause as a
  // young one. A young collection only ever adds to the old generation (promotion), so an old
  // generation that shrank means old regions were evacuated: a mixed collection, a floor.
  // Eager reclaim of dead humongous objects also shrinks it; that reading is still an upper bound,
  // and the trend works on per-bucket minima, so an occasional high floor does not move it.
  private static Kind youngOrMixed(GcEvent event) {
    return oldGenerationShrank(event) ? Kind.FLOOR : Kind.CEILING;
  }

  private static boolean oldGenerationShrank(GcEvent event) {
    for (PoolUsage pool : event.pools()) {
      if (isOldGeneration(pool.pool()) && pool.usedAfter() < pool.usedBefore()) {
        return true;
      }
    }
    return false;
  }

  // The heap after the collection; for a G1 remark pause, which collects no young objects, without
  // the eden filled since the last young collection.
  private static long readingBytes(GcEvent event) {
    long bytes = event.heapUsedAfter();
    if (event.collector().equals(G1_CONCURRENT)) {
      for (PoolUsage pool : event.pools()) {
        if (pool.pool().contains("Eden")) {
          bytes -= pool.usedAfter();
        }
      }
    }
    return bytes;
  }

  static boolean isOldGeneration(String pool) {
    return pool.contains("Old") || pool.contains("Tenured");
  }

  /**
   * How much of the heap's maximum stays unused when the JVM throws OutOfMemoryError, by what was
   * measured letting a 2 MiB/s leak run into a 512 MiB heap: G1, Serial and ZGC filled all but a
   * few MiB of it; Parallel gave up with 392 MiB in use, its old generation (341 MiB) full and
   * about half its young generation still free, since its GC overhead limit stops a JVM that
   * collects all the time to little effect. For Parallel, half the young generation's maximum.
   */
  static long unusableBytes(List<PoolUsage> pools) {
    long young = 0;
    boolean parallel = false;
    for (PoolUsage pool : pools) {
      parallel |= pool.pool().startsWith("PS ");
      if (!isOldGeneration(pool.pool()) && pool.max() > 0) {
        young += pool.max();
      }
    }
    return parallel ? young / 2 : 0;
  }

  /**
   * The heap's maximum from the pools: their sum where generations are fixed areas (Serial,
   * Parallel; G1 reports -1 for eden and survivor and the whole heap for the old generation), but
   * the largest where generations share one heap (generational ZGC and Shenandoah report the whole
   * heap as each generation's maximum). Committed memory stands in when no pool has a maximum.
   */
  static long heapMax(List<PoolUsage> pools) {
    boolean sharedHeap = false;
    long sum = 0;
    long largest = 0;
    long committed = 0;
    for (PoolUsage pool : pools) {
      sharedHeap |= pool.pool().startsWith("ZGC") || pool.pool().startsWith("Shenandoah");
      if (pool.max() > 0) {
        sum += pool.max();
        largest = Math.max(largest, pool.max());
      }
      committed += Math.max(0, pool.committedAfter());
    }
    long max = sharedHeap ? largest : sum;
    if (max > 0) {
      return max;
    }
    return committed > 0 ? committed : -1;
  }
}
