package io.memwatch.collector.events;

import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The hand-off between the host's threads (producers) and the collector's thread (the one consumer).
 *
 * <p>Queues are bounded and multi-producer single-consumer: a producer never blocks, never spins
 * and never allocates to enqueue; when a queue is full the event is dropped and counted, because
 * the host's progress matters more than one sample. The {@code atomic} variants are used because
 * the Unsafe-based ones print deprecation warnings into the host's stderr on Java 24+.
 */
public final class EventQueues {
  public static final int DEFAULT_GC_CAPACITY = 1024;
  public static final int DEFAULT_ALLOCATION_CAPACITY = 16384;

  private final MessagePassingQueue<GcEvent> gcEvents;
  private final MessagePassingQueue<AllocationSample> allocations;
  private final LongAdder dropped = new LongAdder();

  public EventQueues() {
    this(DEFAULT_GC_CAPACITY, DEFAULT_ALLOCATION_CAPACITY);
  }

  public EventQueues(int gcCapacity) {
    this(gcCapacity, DEFAULT_ALLOCATION_CAPACITY);
  }

  public EventQueues(int gcCapacity, int allocationCapacity) {
    this.gcEvents = new MpscAtomicArrayQueue<>(gcCapacity);
    this.allocations = new MpscAtomicArrayQueue<>(allocationCapacity);
  }

  /** Offers without blocking; returns false and counts a drop when the queue is full. */
  public boolean offerGc(GcEvent event) {
    // relaxedOffer: a spurious "full" under contention only costs one dropped event, never a wait.
    if (gcEvents.relaxedOffer(event)) {
      return true;
    }
    dropped.increment();
    return false;
  }

  /** Offers a sampled allocation without blocking; a full queue drops and counts it. */
  public boolean offerAllocation(AllocationSample sample) {
    if (allocations.relaxedOffer(sample)) {
      return true;
    }
    dropped.increment();
    return false;
  }

  public MessagePassingQueue<AllocationSample> allocations() {
    return allocations;
  }

  public MessagePassingQueue<GcEvent> gcEvents() {
    return gcEvents;
  }

  /** Events dropped so far because a queue was full. */
  public long dropped() {
    return dropped.sum();
  }
}
