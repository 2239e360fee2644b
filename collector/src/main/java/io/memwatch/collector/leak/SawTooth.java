package io.memwatch.collector.leak;

/**
 * Learns how fast garbage piles up in the old generation between its collections, and takes it off
 * young collections' readings.
 *
 * <p>A healthy heap read after each collection is a saw-tooth: it climbs as young collections
 * promote objects that later die, and drops when the old generation is collected. The part of a
 * climb that a drop gives back was garbage; divided by the climb's duration it is the rate at which
 * garbage piled up. Once that rate is known, a young collection's reading minus the garbage piled
 * up since the last drop estimates the live set: flat for a healthy heap, rising with a leak, whose
 * growth no drop gives back. Before the first drop nothing is known, and readings are taken as they
 * are.
 *
 * <p>Not thread-safe: the collector thread owns it.
 */
final class SawTooth {
  /** Climbs shorter than this give no rate: too little time to tell a slope from noise. */
  private static final double MIN_CLIMB_SECONDS = 2;

  private double trough = Double.NaN;
  private long troughAt;
  private double peak;
  private long peakAt;
  private double lastPeak = Double.NaN;
  private double lastClimbSeconds;

  /**
   * Takes the next reading. A climb ends when the old generation is collected ({@code floor}),
   * however little that reclaimed: the floor is where the next climb of garbage starts from (a climb
   * counted on from before it takes the garbage rate for lower than it is, and leaves the garbage
   * piled up since in the readings). Young collections do not end climbs, since their readings
   * wobble with the survivors and nothing in the old generation was reclaimed.
   *
   * @return the garbage rate, in bytes per second, of the climb this reading showed to be garbage
   *     (as it ends it, or as it goes deeper after the drop); NaN if it shows nothing new
   */
  double accept(long atMillis, long bytes, boolean floor) {
    double value = bytes;
    if (Double.isNaN(trough)) {
      startClimb(value, atMillis);
      return Double.NaN;
    }
    if (floor) {
      double climbSeconds = (peakAt - troughAt) / 1000.0;
      lastPeak = climbSeconds >= MIN_CLIMB_SECONDS ? peak : Double.NaN;
      lastClimbSeconds = climbSeconds;
      startClimb(value, atMillis);
      return garbageRate(value);
    }
    if (value < trough) {
      // Still going down (G1's mixed collections come in a series): the climb starts lower.
      startClimb(value, atMillis);
      return garbageRate(value);
    }
    if (value > peak) {
      peak = value;
      peakAt = atMillis;
    }
    return Double.NaN;
  }

  /**
   * {@code bytes} read at {@code atMillis} less the garbage that piled up at {@code garbageRate}
   * since the climb began, but never below where the climb began: that was a floor.
   */
  double withoutGarbage(long atMillis, long bytes, double garbageRate) {
    if (Double.isNaN(trough) || bytes <= trough) {
      return bytes;
    }
    double piledUp = garbageRate * Math.max(0, atMillis - troughAt) / 1000.0;
    return Math.max(trough, bytes - piledUp);
  }

  private double garbageRate(double value) {
    return Double.isNaN(lastPeak) ? Double.NaN : Math.max(0, lastPeak - value) / lastClimbSeconds;
  }

  private void startClimb(double value, long atMillis) {
    trough = value;
    troughAt = atMillis;
    peak = value;
    peakAt = atMillis;
  }
}
