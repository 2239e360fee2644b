package io.memwatch.collector.live;

import io.memwatch.collector.events.GcEvent;
import java.util.function.Consumer;

/**
 * The heap in use right after the last collection: what survived, the live set.
 *
 * <p>Fed on the collector thread; read by gauges on scrape threads, hence the volatile.
 */
public final class LiveSet implements Consumer<GcEvent> {
  private volatile long bytes = -1;
  private volatile long collections;

  @Override
  public void accept(GcEvent event) {
    bytes = event.heapUsedAfter();
    collections++; // single writer: the collector thread
  }

  /** Heap used after the last collection, or -1 before the first one. */
  public long bytes() {
    return bytes;
  }

  public long collections() {
    return collections;
  }
}
