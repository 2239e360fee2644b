package io.memwatch.collector.events;

import java.lang.ref.WeakReference;

/**
 * One sampled allocation.
 *
 * @param site the allocation site's id in the {@link io.memwatch.collector.sites.SiteRegistry}
 * @param weightBytes the bytes this sample stands for: its size divided by the probability that
 *     it was sampled, so sums over samples are unbiased estimates of the bytes allocated
 * @param sizeBytes the sampled object's own size, or 0 where the source does not tell it (the JVM's sampler)
 * @param object the allocated object, held weakly from the moment it is sampled (a sample waiting in
 *     the queue when a collection comes must not keep its object alive: it would survive, be
 *     promoted, and count as kept), or null where the source could not capture it
 * @param atMillis JVM uptime when it was sampled ({@link JvmClock}), the clock collections are
 *     reported in
 */
public record AllocationSample(int site, long weightBytes, long sizeBytes, WeakReference<Object> object, long atMillis) {
  /** A sample taken now. */
  public AllocationSample(int site, long weightBytes, long sizeBytes, Object object) {
    this(site, weightBytes, sizeBytes, object, JvmClock.uptimeMillis());
  }

  public AllocationSample(int site, long weightBytes, long sizeBytes, Object object, long atMillis) {
    this(site, weightBytes, sizeBytes, object == null ? null : new WeakReference<>(object), atMillis);
  }
}
