package io.memwatch.collector.health;

import java.util.concurrent.atomic.LongAdder;

/** What the instrumentation did: classes transformed, and classes left as they were because transforming them failed. */
public final class InstrumentationCounts {
  private final LongAdder transformed = new LongAdder();
  private final LongAdder errors = new LongAdder();

  public void transformed() {
    transformed.increment();
  }

  public void error() {
    errors.increment();
  }

  public long transformedClasses() {
    return transformed.sum();
  }

  public long errors() {
    return errors.sum();
  }
}
