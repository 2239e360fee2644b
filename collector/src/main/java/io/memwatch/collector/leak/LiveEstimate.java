package io.memwatch.collector.leak;

import java.time.Duration;

/**
 * The best single figure for the live set, from the readings so far.
 *
 * <p>The last {@link LiveSample.Kind#FLOOR} is the live set as it was measured. A later young
 * collection can only lower it: its reading is an upper bound, so one below the floor proves the
 * live set shrank. It cannot raise it, because the old generation's growth between two full
 * collections is mostly garbage that has not been looked at yet. A floor older than {@code
 * freshFor} no longer describes the heap (a Parallel JVM may go hours between full collections
 * after one at start-up), and then the latest young collection's reading, the tightest upper bound
 * there is, stands in.
 *
 * <p>Not thread-safe: the collector thread owns it.
 */
public final class LiveEstimate {
  private final long freshForMillis;
  private long floorBytes = -1;
  private long floorAtMillis;
  private long bytes = -1;

  public LiveEstimate(Duration freshFor) {
    this.freshForMillis = freshFor.toMillis();
  }

  public void accept(LiveSample sample) {
    if (sample.isFloor()) {
      floorBytes = sample.bytes();
      floorAtMillis = sample.atMillis();
      bytes = floorBytes;
    } else if (floorBytes >= 0 && sample.atMillis() - floorAtMillis <= freshForMillis) {
      floorBytes = Math.min(floorBytes, sample.bytes());
      bytes = floorBytes;
    } else {
      bytes = sample.bytes();
    }
  }

  /** The live set in bytes, or -1 before the first reading. */
  public long bytes() {
    return bytes;
  }
}
