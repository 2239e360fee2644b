package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;

/**
 * How far back the collections so far have judged the objects allocated: before the horizon, the
 * weak reference to a followed object that died young has been cleared, so what is still followed
 * from then has survived a collection; objects allocated since have not been looked at.
 *
 * <p>Most collectors judge, at each collection, what was allocated before it started. Generational
 * ZGC is the exception: its minor cycles treat weak references as strong, so a followed young
 * object survives them and is promoted, and a major cycle does not judge what is promoted while it
 * runs. What was allocated before one major cycle started is judged when the next one ends.
 *
 * <p>Fed on the collector thread; {@link #millis()} may be read from any thread.
 */
public final class JudgedHorizon {
  private volatile long millis = -1;
  private long lastMajorStartMillis = -1;

  public void accept(GcEvent event) {
    if (GcClassifier.kind(event).isEmpty()) {
      return; // a pause phase of a concurrent cycle: not a collection of its own
    }
    switch (event.collector()) {
      case "ZGC Minor Cycles" -> { }
      case "ZGC Major Cycles" -> {
        advanceTo(lastMajorStartMillis);
        lastMajorStartMillis = event.startMillis();
      }
      default -> advanceTo(event.startMillis());
    }
  }

  /** JVM uptime before which allocated objects have been judged, -1 before the first collection. */
  public long millis() {
    return millis;
  }

  private void advanceTo(long startMillis) {
    millis = Math.max(millis, startMillis); // single writer: the collector thread
  }
}
