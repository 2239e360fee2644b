package io.memwatch.collector.live;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.leak.GcClassifier;
import io.memwatch.collector.leak.GcReadings;
import io.memwatch.collector.leak.LiveEstimate;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The live set: the heap that survived the last collection able to measure it.
 *
 * <p>Which collections can is {@link GcClassifier}'s call (full, major, mixed collections and
 * concurrent whole-heap cycles can; young ones only bound it from above; pause phases of concurrent
 * collectors say nothing), and how readings combine is {@link LiveEstimate}'s: the last full
 * reading, lowered by any young collection that comes in under it, and the latest young
 * collection's reading where no full one is recent.
 *
 * <p>Fed on the collector thread; read by gauges on scrape threads, hence the volatiles.
 */
public final class LiveSet implements Consumer<GcEvent> {
  /** A full reading older than this no longer stands for the live set. */
  public static final Duration DEFAULT_FRESHNESS = Duration.ofMinutes(30);

  private final LiveEstimate estimate;
  private final GcReadings readings = new GcReadings();
  private volatile long bytes = -1;
  private volatile long collections;


  public LiveSet() {
    this(DEFAULT_FRESHNESS);
  }

  public LiveSet(Duration floorFreshness) {
    this.estimate = new LiveEstimate(floorFreshness);
  }

  @Override
  public void accept(GcEvent event) {
    readings.sample(event)
        .ifPresent(
            sample -> {
              estimate.accept(sample);
              bytes = estimate.bytes();
              collections++; // single writer: the collector thread
            });
  }

  /** The live set in bytes, or -1 before the first collection that measured it. */
  public long bytes() {
    return bytes;
  }

  /** Collections that gave a reading of the live set (pause phases of concurrent cycles do not). */
  public long collections() {
    return collections;
  }
}
