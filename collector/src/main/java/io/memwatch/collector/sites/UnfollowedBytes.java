package io.memwatch.collector.sites;

/**
 * The bytes the JVM's sampler saw allocated where no hook follows objects (its events' weights),
 * per second of JVM uptime over the last ten minutes: what a window's growth could be made of,
 * beside the followed objects that survived.
 *
 * <p>Memory is fixed: 600 seconds of two longs. Not thread-safe: the collector thread owns it.
 */
final class UnfollowedBytes {
  static final long SPAN_MILLIS = 600_000;
  private static final int SLOTS = (int) (SPAN_MILLIS / 1000);
  private final long[] second = new long[SLOTS];
  private final long[] bytes = new long[SLOTS];
  private long newestSecond = Long.MIN_VALUE;

  UnfollowedBytes() {
    java.util.Arrays.fill(second, Long.MIN_VALUE);
  }

  void add(long atMillis, long weightBytes) {
    long number = Math.floorDiv(atMillis, 1000);
    newestSecond = Math.max(newestSecond, number);
    int slot = (int) Math.floorMod(number, (long) SLOTS);
    if (second[slot] != number) {
      if (second[slot] > number) {
        return; // older than the ring remembers
      }
      second[slot] = number;
      bytes[slot] = 0;
    }
    bytes[slot] += weightBytes;
  }

  /** Whether the ring still holds every second from {@code fromMillis} on. */
  boolean covers(long fromMillis) {
    return newestSecond == Long.MIN_VALUE || Math.floorDiv(fromMillis, 1000) > newestSecond - SLOTS;
  }

  /** Bytes allocated from {@code fromMillis} (inclusive) to {@code toMillis} (exclusive), to the second. */
  long between(long fromMillis, long toMillis) {
    long total = 0;
    for (long number = Math.floorDiv(fromMillis, 1000); number < Math.floorDiv(toMillis, 1000) + 1; number++) {
      int slot = (int) Math.floorMod(number, (long) SLOTS);
      if (second[slot] == number && number * 1000 < toMillis) {
        total += bytes[slot];
      }
    }
    return total;
  }
}
