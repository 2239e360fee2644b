package io.memwatch.collector.leak;

import java.util.Arrays;

/**
 * One series' recent past at a fixed resolution: for each time bucket, the lowest value and the
 * moment it was taken.
 *
 * <p>Keeping minima is what makes a series of heap readings a floor: within a bucket, the reading
 * right after the deepest collection wins, and a healthy heap's saw-tooth disappears.
 *
 * <p>Memory is fixed: one slot per bucket of the span it must cover, reused as a ring. Not
 * thread-safe: the collector thread owns it.
 */
final class BucketMinima {
  private static final long EMPTY = Long.MIN_VALUE;

  private final long bucketMillis;
  private final int capacity;
  private final long[] bucket;
  private final long[] lowest;
  private final long[] lowestAt;

  BucketMinima(long bucketMillis, long spanMillis) {
    this.bucketMillis = bucketMillis;
    this.capacity = (int) (spanMillis / bucketMillis) + 2;
    this.bucket = new long[capacity];
    this.lowest = new long[capacity];
    this.lowestAt = new long[capacity];
    Arrays.fill(bucket, EMPTY);
  }

  long bucketMillis() {
    return bucketMillis;
  }

  void add(long atMillis, long value) {
    int slot = slotFor(atMillis);
    if (slot >= 0 && (lowest[slot] < 0 || value < lowest[slot])) {
      lowest[slot] = value;
      lowestAt[slot] = atMillis;
    }
  }

  /**
   * Writes the window ending at {@code nowMillis} as at most {@code seconds.length} points (one
   * more than the number of groups asked for, since aligned groups may straddle the window's
   * start), oldest first, from the values taken within it: the lowest of each group of adjacent
   * buckets, at the moment it was taken, in seconds relative to {@code nowMillis} (so never
   * positive). Groups are aligned to absolute bucket numbers, so a point does not change as the
   * window slides. Empty groups are left out.
   *
   * @return how many points were written
   */
  int series(long nowMillis, long windowMillis, double[] seconds, double[] values) {
    long last = Math.floorDiv(nowMillis, bucketMillis);
    long since = nowMillis - windowMillis;
    // The bucket the window starts in counts too, for its values that are inside the window:
    // with a reading every 15 s, the one 58 s ago is what makes a minute's worth of them.
    long first = Math.floorDiv(since, bucketMillis);
    long count = last - first + 1;
    long groups = seconds.length - 1;
    long groupSize = (count + groups - 1) / groups;
    int points = 0;
    for (long group = Math.floorDiv(first, groupSize) * groupSize; group <= last; group += groupSize) {
      long best = -1;
      long bestAt = 0;
      for (long number = Math.max(group, first); number < group + groupSize && number <= last; number++) {
        int slot = (int) Math.floorMod(number, (long) capacity);
        if (bucket[slot] == number && lowest[slot] >= 0 && lowestAt[slot] >= since
            && (best < 0 || lowest[slot] < best)) {
          best = lowest[slot];
          bestAt = lowestAt[slot];
        }
      }
      if (best >= 0) {
        seconds[points] = (bestAt - nowMillis) / 1000.0;
        values[points] = best;
        points++;
      }
    }
    return points;
  }

  // The slot for a moment, cleared if it held an older bucket; -1 for a moment older than the ring
  // remembers (collections of different beans can end out of order).
  private int slotFor(long atMillis) {
    long number = Math.floorDiv(atMillis, bucketMillis);
    int slot = (int) Math.floorMod(number, (long) capacity);
    if (bucket[slot] == number) {
      return slot;
    }
    if (bucket[slot] != EMPTY && bucket[slot] > number) {
      return -1;
    }
    bucket[slot] = number;
    lowest[slot] = -1;
    return slot;
  }
}
