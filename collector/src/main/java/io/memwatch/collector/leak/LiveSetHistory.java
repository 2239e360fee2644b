package io.memwatch.collector.leak;

import java.util.Arrays;

/**
 * The live set's recent past at a fixed resolution: per-bucket minima of every reading's estimate
 * and of the {@link LiveSample.Kind#FLOOR} readings alone ({@link BucketMinima}), plus the garbage
 * rate learnt from saw-tooth drops that ended in each bucket.
 *
 * <p>Memory is fixed: with the default 5 s buckets over two hours, 1442 slots of seven numbers,
 * about 80 KiB. Not thread-safe: the collector thread owns it.
 */
final class LiveSetHistory {
  private static final long EMPTY = Long.MIN_VALUE;

  private final BucketMinima estimates;
  private final BucketMinima floors;
  private final long bucketMillis;
  private final int capacity;
  private final long[] rateBucket;
  private final double[] garbageRate;

  LiveSetHistory(long bucketMillis, long spanMillis) {
    this.estimates = new BucketMinima(bucketMillis, spanMillis);
    this.floors = new BucketMinima(bucketMillis, spanMillis);
    this.bucketMillis = bucketMillis;
    this.capacity = (int) (spanMillis / bucketMillis) + 2;
    this.rateBucket = new long[capacity];
    this.garbageRate = new double[capacity];
    Arrays.fill(rateBucket, EMPTY);
  }

  /**
   * @param estimate the reading's estimate of the live set, which for a young collection's reading
   *     may be lower than the reading (see {@link SawTooth#withoutGarbage})
   */
  void add(LiveSample sample, long estimate) {
    estimates.add(sample.atMillis(), estimate);
    if (sample.isFloor()) {
      floors.add(sample.atMillis(), sample.bytes());
    }
  }

  /** Remembers that garbage piled up at {@code bytesPerSecond} in a saw-tooth that ended then. */
  void addGarbageRate(long atMillis, double bytesPerSecond) {
    long number = Math.floorDiv(atMillis, bucketMillis);
    int slot = (int) Math.floorMod(number, (long) capacity);
    if (rateBucket[slot] != number) {
      if (rateBucket[slot] != EMPTY && rateBucket[slot] > number) {
        return; // older than the ring remembers
      }
      rateBucket[slot] = number;
      garbageRate[slot] = 0;
    }
    garbageRate[slot] = Math.max(garbageRate[slot], bytesPerSecond);
  }

  /** The highest garbage rate learnt in the window ending at {@code nowMillis}; 0 if none. */
  double highestGarbageRate(long nowMillis, long windowMillis) {
    long last = Math.floorDiv(nowMillis, bucketMillis);
    long first = last - windowMillis / bucketMillis + 1;
    double highest = 0;
    for (long number = first; number <= last; number++) {
      int slot = (int) Math.floorMod(number, (long) capacity);
      if (rateBucket[slot] == number) {
        highest = Math.max(highest, garbageRate[slot]);
      }
    }
    return highest;
  }

  /** The window ending at {@code nowMillis} as points; see {@link BucketMinima#series}. */
  int series(long nowMillis, long windowMillis, boolean floorsOnly, double[] seconds, double[] bytes) {
    return (floorsOnly ? floors : estimates).series(nowMillis, windowMillis, seconds, bytes);
  }
}
