package io.memwatch.collector.leak;

import java.util.Arrays;

/**
 * The live set's recent past at a fixed resolution: for each time bucket, the lowest estimate from
 * any reading and the lowest {@link LiveSample.Kind#FLOOR} reading, with the moments they were
 * taken, plus the garbage rate learnt from saw-tooth drops that ended in it.
 *
 * <p>Keeping minima is what makes the series a floor: within a bucket, the reading right after the
 * deepest collection wins, and the saw-tooth of a healthy heap's young collections disappears.
 *
 * <p>Memory is fixed: one slot per bucket of the span it must cover, reused as a ring (with the
 * default 5 s buckets over two hours, 1442 slots of six numbers: about 68 KiB). Not thread-safe:
 * the collector thread owns it.
 */
final class LiveSetHistory {
  private static final long EMPTY = Long.MIN_VALUE;

  private final long bucketMillis;
  private final int capacity;
  private final long[] bucket;
  private final long[] lowest;
  private final long[] lowestAt;
  private final long[] lowestFloor;
  private final long[] lowestFloorAt;
  private final double[] garbageRate;

  LiveSetHistory(long bucketMillis, long spanMillis) {
    this.bucketMillis = bucketMillis;
    this.capacity = (int) (spanMillis / bucketMillis) + 2;
    this.bucket = new long[capacity];
    this.lowest = new long[capacity];
    this.lowestAt = new long[capacity];
    this.lowestFloor = new long[capacity];
    this.lowestFloorAt = new long[capacity];
    this.garbageRate = new double[capacity];
    Arrays.fill(bucket, EMPTY);
  }

  /**
   * @param estimate the reading's estimate of the live set, which for a young collection's reading
   *     may be lower than the reading (see {@link SawTooth#withoutGarbage})
   */
  void add(LiveSample sample, long estimate) {
    int slot = slotFor(sample.atMillis());
    if (slot < 0) {
      return;
    }
    if (lowest[slot] < 0 || estimate < lowest[slot]) {
      lowest[slot] = estimate;
      lowestAt[slot] = sample.atMillis();
    }
    if (sample.isFloor() && (lowestFloor[slot] < 0 || sample.bytes() < lowestFloor[slot])) {
      lowestFloor[slot] = sample.bytes();
      lowestFloorAt[slot] = sample.atMillis();
    }
  }

  /** Remembers that garbage piled up at {@code bytesPerSecond} in a saw-tooth that ended then. */
  void addGarbageRate(long atMillis, double bytesPerSecond) {
    int slot = slotFor(atMillis);
    if (slot >= 0 && !(bytesPerSecond <= garbageRate[slot])) {
      garbageRate[slot] = bytesPerSecond;
    }
  }

  /** The highest garbage rate learnt in the window ending at {@code nowMillis}; 0 if none. */
  double highestGarbageRate(long nowMillis, long windowMillis) {
    long last = Math.floorDiv(nowMillis, bucketMillis);
    long first = last - windowMillis / bucketMillis + 1;
    double highest = 0;
    for (long number = first; number <= last; number++) {
      int slot = (int) Math.floorMod(number, (long) capacity);
      if (bucket[slot] == number) {
        highest = Math.max(highest, garbageRate[slot]);
      }
    }
    return highest;
  }

  /**
   * Writes the window ending at {@code nowMillis} as at most {@code seconds.length} points (one
   * more than the number of groups asked for, since aligned groups may straddle the window's
   * start), oldest first, from the readings taken within it: the lowest reading of each group of adjacent buckets, at the moment it
   * was taken, in seconds relative to {@code nowMillis} (so never positive). Groups are aligned to
   * absolute bucket numbers, so a point does not change as the window slides. Empty groups are left
   * out.
   *
   * @return how many points were written
   */
  int series(
      long nowMillis, long windowMillis, boolean floorsOnly, double[] seconds, double[] bytes) {
    long last = Math.floorDiv(nowMillis, bucketMillis);
    long since = nowMillis - windowMillis;
    // The bucket the window starts in counts too, for its readings that are inside the window:
    // with a reading every 15 s, the one 58 s ago is what makes a minute's worth of them.
    long first = Math.floorDiv(since, bucketMillis);
    long count = last - first + 1;
    long groups = seconds.length - 1;
    long groupSize = (count + groups - 1) / groups;
    int points = 0;
    for (long group = Math.floorDiv(first, groupSize) * groupSize;
        group <= last;
        group += groupSize) {
      long best = -1;
      long bestAt = 0;
      for (long number = Math.max(group, first);
          number < group + groupSize && number <= last;
          number++) {
        int slot = (int) Math.floorMod(number, (long) capacity);
        if (bucket[slot] != number) {
          continue;
        }
        long value = floorsOnly ? lowestFloor[slot] : lowest[slot];
        long at = floorsOnly ? lowestFloorAt[slot] : lowestAt[slot];
        if (value >= 0 && at >= since && (best < 0 || value < best)) {
          best = value;
          bestAt = at;
        }
      }
      if (best >= 0) {
        seconds[points] = (bestAt - nowMillis) / 1000.0;
        bytes[points] = best;
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
    lowestFloor[slot] = -1;
    garbageRate[slot] = 0;
    return slot;
  }
}
