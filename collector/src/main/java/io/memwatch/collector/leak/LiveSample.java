package io.memwatch.collector.leak;

/**
 * One reading of the live set, taken from a garbage collection.
 *
 * @param atMillis JVM uptime when the collection ended: the moment the reading describes
 * @param bytes heap in use right after the collection
 * @param kind how much the reading can be trusted
 * @param heapMaxBytes the most the heap may grow to according to the pools, -1 if they do not say
 * @param unusableBytes how much of that maximum the JVM is expected to leave unused when it gives
 *     up with an OutOfMemoryError (see {@link GcClassifier#unusableBytes})
 */
public record LiveSample(long atMillis, long bytes, Kind kind, long heapMaxBytes, long unusableBytes) {

  /** How a reading relates to the true live set. */
  public enum Kind {
    /**
     * The collection reclaimed the old generation as well (full, major or mixed collection, a
     * concurrent whole-heap cycle): what is left is the live set, give or take floating garbage.
     */
    FLOOR,
    /**
     * A young-only collection: the old generation's garbage is still counted, so the heap after it
     * is only an upper bound of the live set.
     */
    CEILING
  }

  /** The same reading, known to follow a marking of the old generation. */
  public LiveSample asFloor() {
    return new LiveSample(atMillis, bytes, Kind.FLOOR, heapMaxBytes, unusableBytes);
  }

  public boolean isFloor() {
    return kind == Kind.FLOOR;
  }
}
