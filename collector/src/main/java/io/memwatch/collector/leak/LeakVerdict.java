package io.memwatch.collector.leak;

import java.util.Locale;

/**
 * What the leak detector concludes after a collection. Immutable, so a reader on another thread
 * always sees one consistent verdict.
 *
 * @param suspected whether the live set is growing like a leak
 * @param growthBytesPerSecond how fast it grows while a leak is suspected (promotion of garbage
 *     that the heap has shown it reclaims is not counted); 0 otherwise
 * @param exhaustionSeconds while it grows: seconds until the live set, at that rate, reaches the
 *     heap's max; NaN otherwise, or when the max is unknown
 * @param liveBytes the live set now, -1 before the first collection
 * @param heapMaxBytes the heap's max, -1 if unknown
 * @param sinceMillis JVM uptime when the suspicion began, -1 while none
 * @param windowSeconds length of the window whose trend gives the figures, 0 while none
 * @param atMillis JVM uptime of the collection this verdict was drawn from, -1 before the first
 */
public record LeakVerdict(
    boolean suspected,
    double growthBytesPerSecond,
    double exhaustionSeconds,
    long liveBytes,
    long heapMaxBytes,
    long sinceMillis,
    long windowSeconds,
    long atMillis) {

  /** Before the first collection. */
  public static final LeakVerdict NONE = new LeakVerdict(false, 0, Double.NaN, -1, -1, -1, 0, -1);

  /**
   * One line for a log: {@code live set grows 2.0 MiB/s over the last 60 s (live 180 MiB of 512
   * MiB); heap exhausted in about 2.8 min}, or {@code no leak suspected (live 180 MiB of 512 MiB)}.
   */
  public String summary() {
    String live =
        "live " + mebibytes(liveBytes) + (heapMaxBytes > 0 ? " of " + mebibytes(heapMaxBytes) : "");
    if (!suspected) {
      return "no leak suspected (" + live + ")";
    }
    String line =
        "live set grows "
            + rate(growthBytesPerSecond)
            + " over the last "
            + duration(windowSeconds)
            + " ("
            + live
            + ")";
    if (Double.isNaN(exhaustionSeconds)) {
      return line;
    }
    return line + "; heap exhausted in about " + duration(exhaustionSeconds);
  }

  private static String mebibytes(long bytes) {
    return bytes < 0 ? "unknown" : (bytes >> 20) + " MiB";
  }

  private static String rate(double bytesPerSecond) {
    double perSecond = bytesPerSecond / (1 << 20);
    if (perSecond >= 0.1) {
      return String.format(Locale.ROOT, "%.1f MiB/s", perSecond);
    }
    if (perSecond * 60 >= 0.1) {
      return String.format(Locale.ROOT, "%.1f MiB/min", perSecond * 60);
    }
    return String.format(Locale.ROOT, "%.1f MiB/h", perSecond * 3600);
  }

  private static String duration(double seconds) {
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 7200) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
