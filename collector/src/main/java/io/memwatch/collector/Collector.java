package io.memwatch.collector;

import io.memwatch.collector.drain.EventDrain;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.export.AgentHealthMetrics;
import io.memwatch.collector.export.LiveSetMetrics;
import io.memwatch.collector.export.MetricsServer;
import io.memwatch.collector.export.NodeMemoryMetrics;
import io.memwatch.collector.live.LiveSet;
import io.memwatch.collector.memory.CgroupMemoryLimit;
import io.memwatch.collector.memory.MemorySampler;
import io.memwatch.collector.memory.ProcStatus;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;

/**
 * The consumer side, wired: queues in, meters out. Plain Java, no instrumentation: a test can
 * create one, offer events to {@link #queues()}, and read {@link #registry()}.
 */
public final class Collector implements AutoCloseable {
  private final EventQueues queues;
  private final PrometheusMeterRegistry registry;
  private final EventDrain drain;
  private final MemorySampler memory;
  private final LiveSet liveSet = new LiveSet();
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public Collector(EventQueues queues, Duration samplePeriod) {
    this.queues = queues;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.memory = new MemorySampler(new ProcStatus(ProcStatus.SELF));
    this.drain = new EventDrain(queues, Duration.ofMillis(50));
    drain.onGc(liveSet);
    drain.every(samplePeriod, memory::sample);
    memory.sample();

    new NodeMemoryMetrics(memory, CgroupMemoryLimit.system().limitBytes()).bindTo(registry);
    new LiveSetMetrics(liveSet).bindTo(registry);
    new AgentHealthMetrics(queues).bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Starts the collector thread. */
  public Collector start() {
    drain.start();
    return this;
  }

  /** Serves the registry over HTTP; the caller decides what a failure to bind means. */
  public MetricsServer serve(String host, int port) throws IOException {
    return MetricsServer.start(registry, host, port);
  }

  public EventQueues queues() {
    return queues;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public EventDrain drain() {
    return drain;
  }

  public LiveSet liveSet() {
    return liveSet;
  }

  @Override
  public void close() {
    drain.close();
    gcMetrics.close();
    registry.close();
  }
}
