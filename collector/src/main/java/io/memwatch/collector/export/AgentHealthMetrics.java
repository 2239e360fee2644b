package io.memwatch.collector.export;

import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.sites.SiteRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;
import io.micrometer.core.instrument.binder.MeterBinder;

/** How memwatch itself is doing: what it dropped or could not instrument to stay out of the host's way. */
public final class AgentHealthMetrics implements MeterBinder {
  private final EventQueues queues;
  private final InstrumentationCounts instrumentation;
  private final SiteRegistry sites;
  private final LongSupplier collectorFailures;

  /** @param collectorFailures how often something on the collector thread failed and was carried on from */
  public AgentHealthMetrics(EventQueues queues, InstrumentationCounts instrumentation, SiteRegistry sites,
      LongSupplier collectorFailures) {
    this.queues = queues;
    this.instrumentation = instrumentation;
    this.sites = sites;
    this.collectorFailures = collectorFailures;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("memwatch.events.dropped", queues, EventQueues::dropped)
        .description("Events dropped because a queue was full; the host is never blocked")
        .register(registry);
    FunctionCounter.builder("memwatch.instrumented.classes", instrumentation, InstrumentationCounts::transformedClasses)
        .description("Classes instrumented for allocation sites")
        .register(registry);
    FunctionCounter.builder("memwatch.instrumentation.errors", instrumentation, InstrumentationCounts::errors)
        .description("Classes left as they were because instrumenting them failed (reasons in the debug log)")
        .register(registry);
    FunctionCounter.builder("memwatch.collector.failures", collectorFailures, LongSupplier::getAsLong)
        .description("Failures on memwatch's collector thread, each logged (the first of a kind) and carried on from")
        .register(registry);
    Gauge.builder("memwatch.allocation.sites", sites, SiteRegistry::size)
        .description("Allocation sites known to the agent")
        .register(registry);
  }
}
