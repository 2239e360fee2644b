package io.memwatch.collector.retainers;

import java.util.List;

/** A source of the JVM's sampled live objects that can also say what keeps each of them. */
public interface PathsToRoots {
  /**
   * The sampled live objects with their retainers. Finding the paths stops the JVM at a safepoint
   * for up to its time limit: call once per incident, never on a scrape, and off the host's threads.
   */
  List<HeldObject> heldWithPaths();
}
