package io.memwatch.collector.export;

import io.memwatch.collector.memory.MemorySnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Node.js's {@code process.memoryUsage()} for the JVM: rss, heapTotal, heapUsed, external, plus
 * the heap's maximum and the container's limit, the two ceilings those figures run into.
 */
public final class NodeMemoryMetrics implements MeterBinder {
  private final Supplier<MemorySnapshot> snapshots;
  private final OptionalLong containerLimit;

  public NodeMemoryMetrics(Supplier<MemorySnapshot> snapshots, OptionalLong containerLimit) {
    this.snapshots = snapshots;
    this.containerLimit = containerLimit;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "memwatch.rss", "Resident set size of the process (Node.js rss; VmRSS on Linux)", MemorySnapshot::rss);
    gauge(registry, "memwatch.heap.total", "Heap committed by the JVM (Node.js heapTotal)", MemorySnapshot::heapTotal);
    gauge(registry, "memwatch.heap.used", "Heap in use, live and garbage (Node.js heapUsed)", MemorySnapshot::heapUsed);
    gauge(registry, "memwatch.external", "Direct and mapped buffer memory outside the heap held for Java objects (Node.js external)", MemorySnapshot::external);
    gauge(registry, "memwatch.heap.max", "The most the heap may grow to (-Xmx)", MemorySnapshot::heapMax);
    containerLimit.ifPresent(
        limit ->
            Gauge.builder("memwatch.memory.limit", () -> limit)
                .description("Memory limit of the process's container (cgroup)")
                .baseUnit(BaseUnits.BYTES)
                .register(registry));
  }

  private void gauge(MeterRegistry registry, String name, String description, ToLongFunction<MemorySnapshot> figure) {
    Gauge.builder(name, snapshots, s -> knownOrNaN(figure.applyAsLong(s.get())))
        .description(description)
        .baseUnit(BaseUnits.BYTES)
        .strongReference(true)
        .register(registry);
  }

  static double knownOrNaN(long value) {
    return value < 0 ? Double.NaN : value;
  }
}
