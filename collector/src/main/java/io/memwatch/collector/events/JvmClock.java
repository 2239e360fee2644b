package io.memwatch.collector.events;

import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;

/**
 * JVM uptime in milliseconds, the clock garbage collections are reported in, so that samples and
 * collections can be put in order. Read from {@link System#nanoTime()} against an origin taken
 * once: asking the runtime bean each time would be a call into the VM on every sample.
 */
public final class JvmClock {
  private static final long ORIGIN_NANOS;
  private static final long ORIGIN_UPTIME_MILLIS;
  private static final long START_EPOCH_MILLIS;

  static {
    RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    ORIGIN_NANOS = System.nanoTime();
    ORIGIN_UPTIME_MILLIS = runtime.getUptime();
    START_EPOCH_MILLIS = runtime.getStartTime();
  }

  private JvmClock() {}

  /** Milliseconds since the JVM started. */
  public static long uptimeMillis() {
    return ORIGIN_UPTIME_MILLIS + (System.nanoTime() - ORIGIN_NANOS) / 1_000_000;
  }

  /** The uptime at a moment given as milliseconds since the epoch (a JFR event's start time, say). */
  public static long uptimeAt(long epochMillis) {
    return epochMillis - START_EPOCH_MILLIS;
  }
}
