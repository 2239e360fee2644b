package io.memwatch.agent.instrument;

import io.memwatch.agent.hook.AllocationHook;
import io.memwatch.agent.hook.AllocationSink;
import io.memwatch.collector.events.AllocationSample;
import io.memwatch.collector.events.EventQueues;
import java.lang.instrument.Instrumentation;

/**
 * Turns a due sample into an {@link AllocationSample} on the collector's queue. Runs on the host's
 * thread, but only once per sampling interval (512 KiB by default), not per allocation.
 */
final class QueueingSink implements AllocationSink {
  private final EventQueues queues;
  private final Instrumentation instrumentation;

  QueueingSink(EventQueues queues, Instrumentation instrumentation) {
    this.queues = queues;
    this.instrumentation = instrumentation;
  }

  @Override
  public void sampled(Object allocated, int site, long estimatedBytes) {
    // Multi-dimensional arrays are measured whole by the hook; getObjectSize would see the outer one only.
    long size = allocated == null || isNested(allocated) ? estimatedBytes : instrumentation.getObjectSize(allocated);
    queues.offerAllocation(new AllocationSample(site, weight(size, estimatedBytes, AllocationHook.meanBytes()), size, allocated));
  }

  /**
   * The bytes one sample stands for: its size over the chance it had of being sampled. The sampler
   * counted {@code estimated} bytes for it, so that chance was {@code 1 - exp(-estimated / mean)};
   * dividing by it makes the sum over samples an unbiased estimate of the bytes allocated, per
   * site, whatever the mix of sizes.
   */
  static long weight(long size, long estimated, double meanBytes) {
    double probability = -Math.expm1(-(double) Math.max(1, estimated) / meanBytes);
    return Math.round(size / probability);
  }

  private static boolean isNested(Object allocated) {
    Class<?> type = allocated.getClass();
    return type.isArray() && type.getComponentType().isArray();
  }
}
