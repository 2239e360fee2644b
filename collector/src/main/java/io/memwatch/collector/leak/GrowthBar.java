package io.memwatch.collector.leak;

/**
 * What a {@link Trend} must show to count as growth at one window length.
 *
 * <p>Two bars make the hysteresis: a suspicion starts only when a trend clears the {@link #onset}
 * bar, and holds for as long as some trend still clears the lower {@link #hold} bar. A leak that
 * hovers around the onset bar therefore does not switch the verdict on and off.
 *
 * @param minRiseBytes growth the line must account for across the points (slope × span)
 * @param minZ Mann–Kendall significance the rise must reach
 * @param minRiseOverNoise how many times the uncertainty noise alone gives a fitted rise the rise
 *     must be: the Mann–Kendall test is run after every collection, and over days a 1% test passes
 *     by chance on a noisy flat series; a rise well clear of the noise does not
 * @param minRecentShare how much of the slope must still be there in the window's recent half: a
 *     warm-up that has levelled off rises over the window but not in its recent half
 * @param minRecentRiseOverNoise the recent half's own rise against the noise, so that a flat recent
 *     half cannot pass on a slope noise gave it
 */
record GrowthBar(
    double minRiseBytes,
    double minZ,
    double minRiseOverNoise,
    double minRecentShare,
    double minRecentRiseOverNoise) {
  /**
   * Fewer points prove nothing: with eight, Mann–Kendall reaches 3.09 only if 26 of 28 pairs rise.
   */
  static final int MIN_POINTS = 8;

  /** The points must cover most of the window, so a burst at its very end is not a trend. */
  static final double MIN_COVERAGE = 0.75;

  /**
   * One-sided 0.1% significance, three times the noise, and in the recent half a third of the
   * slope, itself twice the noise. The test runs after every collection on overlapping windows, day
   * after day, so it has to be strict: at 1% a flat series with ±5% noise was suspected about once
   * a day in simulation.
   */
  static GrowthBar onset(double riseBytes) {
    return new GrowthBar(riseBytes, 3.09, 3, 1.0 / 3, 2);
  }

  /** Half the rise, one-sided 5% significance, twice the noise, a quarter of the slope recent. */
  static GrowthBar hold(double riseBytes) {
    return new GrowthBar(riseBytes / 2, 1.64, 2, 0.25, 1);
  }

  boolean isMetBy(Trend trend, double windowSeconds) {
    return trend.points() >= MIN_POINTS
        && trend.spanSeconds() >= MIN_COVERAGE * windowSeconds
        && trend.mannKendallZ() >= minZ
        && trend.slope() > 0
        && trend.slope() * trend.spanSeconds() >= minRiseBytes
        && trend.riseOverNoise() >= minRiseOverNoise
        && trend.recentSlope() > 0
        && trend.recentSlope() >= minRecentShare * trend.slope()
        && trend.recentRiseOverNoise() >= minRecentRiseOverNoise;
  }
}
