package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import java.util.Optional;

/**
 * The live-set readings of a JVM's collections, one after another: {@link GcClassifier}'s, and
 * what the sequence shows beyond any single event.
 *
 * <p>Before Java 20, G1 reports nothing of its concurrent cycles: the remark pause frees the old
 * regions its marking found wholly dead, unseen, and the next young collection starts with less in
 * the old generation than the last one left there. That young collection's reading is then the
 * first after a marking of the whole heap, and it is taken as a floor. On a heap whose garbage dies
 * young, no mixed collection follows a marking, and these are the only floors there are. Between
 * collections the old generation otherwise only grows (humongous objects are allocated there), so
 * the drop asked for, a twentieth of the heap as for any saw-tooth, is well clear of noise.
 *
 * <p>From Java 20 on G1 reports its remark pauses itself ({@code G1 Concurrent GC}), and once one
 * has been seen their readings are taken instead.
 *
 * <p>Not thread-safe: each consumer of events keeps its own.
 */
public final class GcReadings {
  private long previousOldAfter = -1;
  private boolean remarksReported;

  /** The reading {@code event} gives, or empty when it gives none worth having. */
  public Optional<LiveSample> sample(GcEvent event) {
    Optional<LiveSample> sample = GcClassifier.sample(event);
    remarksReported |= "G1 Concurrent GC".equals(event.collector());
    long oldBefore = -1;
    long oldAfter = -1;
    long drop = Long.MAX_VALUE;
    for (PoolUsage pool : event.pools()) {
      if (pool.pool().equals("G1 Old Gen")) {
        oldBefore = pool.usedBefore();
        oldAfter = pool.usedAfter();
        drop = pool.max() > 0 ? pool.max() / 20 : Long.MAX_VALUE;
      }
    }
    boolean markedSince = !remarksReported && previousOldAfter >= 0 && oldBefore >= 0
        && oldBefore <= previousOldAfter - drop;
    if (sample.isPresent() && oldAfter >= 0) {
      previousOldAfter = oldAfter;
    }
    if (markedSince && sample.isPresent() && !sample.get().isFloor()) {
      return Optional.of(sample.get().asFloor());
    }
    return sample;
  }
}
