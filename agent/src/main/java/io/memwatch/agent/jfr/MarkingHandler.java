package io.memwatch.agent.jfr;

import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.JvmClock;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * {@code jdk.GarbageCollection} named {@code G1Old}: a concurrent cycle of G1's, which marks the
 * whole heap and, at its remark, clears the weak references to every dead object. Before Java 20
 * no collector bean reports these cycles, and one that frees next to nothing leaves no trace in the
 * heap's figures; the leak rule needs to know it happened (readings after it are floors). Each one
 * goes on the GC queue as a {@link GcEvent#marking}.
 */
final class MarkingHandler implements RecordedEventHandler {
  static final String EVENT = "jdk.GarbageCollection";
  static final String CONCURRENT_CYCLE = "G1Old";

  private final EventQueues queues;

  MarkingHandler(EventQueues queues) {
    this.queues = queues;
  }

  @Override
  public String eventName() {
    return EVENT;
  }

  @Override
  public void enableOn(RecordingStream stream) {
    stream.enable(EVENT).withThreshold(java.time.Duration.ZERO);
  }

  @Override
  public void accept(RecordedEvent event) {
    if (CONCURRENT_CYCLE.equals(event.getString("name"))) {
      queues.offerGc(GcEvent.marking("G1 Concurrent Cycle", JvmClock.uptimeAt(event.getStartTime().toEpochMilli()),
          event.getDuration().toMillis()));
    }
  }
}
