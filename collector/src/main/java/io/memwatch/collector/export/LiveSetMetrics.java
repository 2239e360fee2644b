package io.memwatch.collector.export;

import io.memwatch.collector.live.LiveSet;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/** The live set: heap in use right after the last collection that could measure it. */
public final class LiveSetMetrics implements MeterBinder {
  private final LiveSet liveSet;

  public LiveSetMetrics(LiveSet liveSet) {
    this.liveSet = liveSet;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("memwatch.heap.live", liveSet, l -> NodeMemoryMetrics.knownOrNaN(l.bytes()))
        .description(
            "The live set: heap in use after the last collection that reclaimed the old"
                + " generation; where none is recent, after the last young collection (an upper"
                + " bound)")
        .baseUnit(BaseUnits.BYTES)
        .strongReference(true)
        .register(registry);
  }
}
