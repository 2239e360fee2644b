package io.memwatch.collector.export;

import io.memwatch.collector.leak.LeakVerdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The leak verdict: growth of the live set, time until it exhausts the heap, and whether a leak is
 * suspected. All three gauges read the same immutable verdict, so a scrape never mixes two.
 */
public final class LeakMetrics implements MeterBinder {
  private final Supplier<LeakVerdict> verdicts;

  /**
   * @param verdicts the latest verdict, e.g. {@code leakDetector::verdict}
   */
  public LeakMetrics(Supplier<LeakVerdict> verdicts) {
    this.verdicts = verdicts;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(
        registry,
        "memwatch.heap.growth",
        "bytes.per.second",
        "Growth of the live set while a leak is suspected (garbage the heap has shown it reclaims"
            + " not counted); 0 otherwise",
        LeakVerdict::growthBytesPerSecond);
    gauge(
        registry,
        "memwatch.heap.exhaustion",
        "seconds",
        "Projected seconds until the live set reaches the heap's max at its current growth; NaN"
            + " while it does not grow",
        LeakVerdict::exhaustionSeconds);
    // A 0/1 flag has no unit; any unit given here would be appended to the Prometheus name.
    Gauge.builder("memwatch.leak.suspected", verdicts, v -> v.get().suspected() ? 1 : 0)
        .description("1 while a leak is suspected (the live set's floor keeps growing), else 0")
        .strongReference(true)
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String baseUnit,
      String description,
      ToDoubleFunction<LeakVerdict> figure) {
    Gauge.builder(name, verdicts, v -> figure.applyAsDouble(v.get()))
        .description(description)
        .baseUnit(baseUnit)
        .strongReference(true)
        .register(registry);
  }
}
