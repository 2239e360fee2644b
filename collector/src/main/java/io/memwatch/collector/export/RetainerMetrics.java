package io.memwatch.collector.export;

import io.memwatch.collector.retainers.Retainers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code memwatch_leak_retainer_bytes{retainer}}: what keeps the suspected leak, the top three
 * retainers found on the suspicion with their estimated bytes, until the suspicion is lifted.
 * Bounded: three series at most, none while no leak is suspected.
 */
public final class RetainerMetrics {
  static final String NAME = "memwatch.leak.retainer";
  static final int TOP = 3;
  private static final String DESCRIPTION =
      "Estimated bytes of the suspected leak's growth kept by each of its top retainers (the field that holds them)";

  private final MeterRegistry registry;
  private final Map<String, Long> current = new ConcurrentHashMap<>();
  private final Map<String, Gauge> published = new HashMap<>();

  public RetainerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Publishes the top retainers of a suspicion in place of any earlier ones; none, when it is lifted. */
  public synchronized void publish(List<Retainers.Retainer> retainers) {
    clear();
    for (Retainers.Retainer retainer : retainers.subList(0, Math.min(TOP, retainers.size()))) {
      current.put(retainer.name(), retainer.estimatedBytes());
      published.put(retainer.name(), Gauge.builder(NAME, current, c -> c.getOrDefault(retainer.name(), 0L))
          .description(DESCRIPTION)
          .baseUnit(BaseUnits.BYTES)
          .tags("retainer", retainer.name())
          .strongReference(true)
          .register(registry));
    }
  }

  private void clear() {
    published.values().forEach(registry::remove);
    published.clear();
    current.clear();
  }
}
