package io.memwatch.agent.jfr;

import io.memwatch.collector.events.AllocationSample;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.JvmClock;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * {@code jdk.ObjectAllocationSample}: the JVM's own allocation sampler, which sees what the hooks
 * cannot, the bytes allocated inside the JDK and libraries. It samples at TLAB refills and
 * throttles itself (150 events a second here, JVM-wide); each event's {@code weight} is the bytes
 * the thread allocated since its previous sample, so summed weights estimate the bytes allocated.
 * Each event becomes an {@link AllocationSample} on the same queue the hooks feed, with its site
 * named by {@link SiteResolver}.
 */
final class AllocationSampleHandler implements RecordedEventHandler {
  static final String EVENT = "jdk.ObjectAllocationSample";
  /** The JVM's default for this event: enough samples for per-site estimates, a cost nobody notices. */
  static final String THROTTLE = "150/s";

  private final SiteResolver resolver;
  private final EventQueues queues;
  private final ThreadsBeforeStart beforeStart;
  private long hooked;

  AllocationSampleHandler(SiteResolver resolver, EventQueues queues, ThreadsBeforeStart beforeStart) {
    this.resolver = resolver;
    this.queues = queues;
    this.beforeStart = beforeStart;
  }

  @Override
  public String eventName() {
    return EVENT;
  }

  @Override
  public void enableOn(RecordingStream stream) {
    stream.enable(EVENT).with("throttle", THROTTLE).withStackTrace();
  }

  /** Counts what the live threads allocated before now, the sampler's start, under its own site. */
  @Override
  public void starting() {
    long before = beforeStart.record();
    if (before > 0) {
      queues.offerAllocation(new AllocationSample(resolver.beforeSampling(), before, 0, null, JvmClock.uptimeMillis()));
    }
  }

  @Override
  public void accept(RecordedEvent event) {
    RecordedClass type = event.getClass("objectClass");
    RecordedThread thread = event.getThread();
    RecordedStackTrace stack = event.getStackTrace();
    long weight = event.getLong("weight");
    long atMillis = JvmClock.uptimeAt(event.getStartTime().toEpochMilli());
    String typeName = type == null ? "(unknown)" : type.getName();
    // A thread's first sample weighs all it allocated since it started, also before the sampler did:
    // that part was counted at the start (starting()), so it is taken off here.
    if (thread != null) {
      weight -= Math.min(weight, beforeStart.takeBytes(thread.getJavaThreadId()));
      if (weight == 0) {
        return;
      }
    }
    int site = resolver.resolve(thread == null ? null : thread.getJavaName(),
        RecordedFrames.of(stack), typeName);
    if (site == SiteResolver.HOOKED) {
      hooked++;
      return;
    }
    // The sampler does not give the object's size, nor the object: 0 and null.
    queues.offerAllocation(new AllocationSample(site, weight, 0, null, atMillis));
  }

  /** Events left to the hooks so far. */
  long hooked() {
    return hooked;
  }
}
