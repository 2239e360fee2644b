package io.memwatch.collector.export;

import io.memwatch.collector.events.EventQueues;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** How memwatch itself is doing: what it had to drop to stay out of the host's way. */
public final class AgentHealthMetrics implements MeterBinder {
  private final EventQueues queues;

  public AgentHealthMetrics(EventQueues queues) {
    this.queues = queues;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("memwatch.events.dropped", queues, EventQueues::dropped)
        .description("Events dropped because a queue was full; the host is never blocked")
        .register(registry);
  }
}
