package io.memwatch.collector.leak;

import java.time.Duration;

/**
 * How the leak detector judges the live set's trend.
 *
 * @param shortWindow the window for fast leaks, judged on every collection's reading; split into
 *     {@value #BUCKETS_PER_SHORT_WINDOW} buckets, the resolution of all windows
 * @param longWindow the window for slow leaks, judged on collections of the old generation only;
 *     windows doubling from the short one lie between, and windows of two and four long windows
 *     serve heaps whose old generation is collected too rarely to fill it
 * @param clearAfter how long no window may show growth before a suspicion is lifted
 * @param fastRiseFraction growth the short window needs, as a fraction of the heap's max
 * @param slowRiseFraction growth the long window needs, as a fraction of the heap's max
 * @param minRiseBytes growth any window needs, whatever the heap's size
 * @param dropFraction a fall of the live set, as a fraction of the heap's max, that counts as a
 *     saw-tooth drop (giving back garbage) rather than noise
 */
public record LeakSettings(
    Duration shortWindow,
    Duration longWindow,
    Duration clearAfter,
    double fastRiseFraction,
    double slowRiseFraction,
    long minRiseBytes,
    double dropFraction) {

  public static final int BUCKETS_PER_SHORT_WINDOW = 12;

  public LeakSettings {
    if (shortWindow.toMillis() < BUCKETS_PER_SHORT_WINDOW) {
      throw new IllegalArgumentException(
          "the short window must be at least " + BUCKETS_PER_SHORT_WINDOW + " ms");
    }
    if (longWindow.compareTo(shortWindow.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("the long window must be at least twice the short one");
    }
    if (clearAfter.isNegative()) {
      throw new IllegalArgumentException("clearAfter must not be negative");
    }
    if (!(0 < slowRiseFraction && slowRiseFraction <= fastRiseFraction && fastRiseFraction < 1)) {
      throw new IllegalArgumentException("need 0 < slowRiseFraction <= fastRiseFraction < 1");
    }
    if (minRiseBytes < 0 || !(0 < dropFraction && dropFraction < 1)) {
      throw new IllegalArgumentException("need minRiseBytes >= 0 and 0 < dropFraction < 1");
    }
  }

  /**
   * 60 s and 30 min windows; 10% of the heap within the short window (a heap that would fill in ten
   * minutes), 0.4% within the long one, at least 8 MiB; cleared after 60 s without growth; drops of
   * 5% of the heap are saw-tooth.
   */
  public static LeakSettings defaults() {
    return new LeakSettings(
        Duration.ofSeconds(60),
        Duration.ofMinutes(30),
        Duration.ofSeconds(60),
        0.10,
        0.004,
        8L << 20,
        0.05);
  }

  /** The same settings over other windows; a suspicion is then cleared after one short window. */
  public LeakSettings withWindows(Duration shortWindow, Duration longWindow) {
    return new LeakSettings(
        shortWindow,
        longWindow,
        shortWindow,
        fastRiseFraction,
        slowRiseFraction,
        minRiseBytes,
        dropFraction);
  }

  public LeakSettings withClearAfter(Duration clearAfter) {
    return new LeakSettings(
        shortWindow,
        longWindow,
        clearAfter,
        fastRiseFraction,
        slowRiseFraction,
        minRiseBytes,
        dropFraction);
  }

  long bucketMillis() {
    return shortWindow.toMillis() / BUCKETS_PER_SHORT_WINDOW;
  }
}
