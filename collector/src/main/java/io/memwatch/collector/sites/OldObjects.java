package io.memwatch.collector.sites;

import java.util.List;
import java.util.function.Supplier;

/**
 * The JVM's own sample of live objects ({@link OldObject}), for the sites no hook follows: the JDK's
 * and libraries' allocations, named after the user's line that led to them. Something outside the
 * collector reads it (the agent, through the Flight Recorder) and is plugged in once it can; until
 * then, and where it cannot, the sample is empty.
 */
public final class OldObjects {
  private volatile Supplier<List<OldObject>> source = List::of;

  /** From now on, samples come from {@code source}; it is asked on the collector thread. */
  public void use(Supplier<List<OldObject>> source) {
    this.source = source;
  }

  /** The objects sampled and still alive now; empty if nothing can tell. Never throws. */
  public List<OldObject> sample() {
    try {
      return source.get();
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
