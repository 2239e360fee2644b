package io.memwatch.collector.export;

import io.memwatch.collector.sites.AllocationAggregates;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/** Bytes allocated by the process, estimated from the hooks' and the JVM sampler's samples; per-site series come from TopSitesPublisher. */
public final class AllocationMetrics implements MeterBinder {
  private final AllocationAggregates aggregates;

  public AllocationMetrics(AllocationAggregates aggregates) {
    this.aggregates = aggregates;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("memwatch.allocated", aggregates, AllocationAggregates::totalBytes)
        .description("Bytes allocated by the process (estimated from samples: the hooks in the application's code and the JVM's allocation sampler)")
        .baseUnit(BaseUnits.BYTES)
        .register(registry);
    FunctionCounter.builder("memwatch.allocation.samples", aggregates, AllocationAggregates::samples)
        .description("Allocation samples taken; the per-site figures are estimates from these")
        .register(registry);
  }
}
