package io.memwatch.collector.leak;

/**
 * A robust straight line through a window of the live set's floor.
 *
 * @param points how many points it was fitted to
 * @param spanSeconds time between the first and the last point
 * @param slope Theil–Sen slope: the median of the slopes between every pair of points, in bytes per
 *     second; up to 29% of the points can be anything without moving it far
 * @param levelNow the line's value at the window's end (now), in bytes
 * @param mannKendallP how sure the series rises: the one-sided p-value of its Mann–Kendall score
 *     (rising pairs minus falling pairs) under "no trend" ({@link MannKendall})
 * @param monotone whether no point is below the one before it
 * @param recentSlope Theil–Sen slope of the window's most recent half alone, NaN with fewer than
 *     two points there
 * @param recentPoints how many points the recent half holds
 * @param recentSpanSeconds time between the first and the last of them
 * @param noiseBytes how far points stray from the line: the median absolute residual scaled to a
 *     standard deviation (× 1.4826), so a few wild points do not inflate it
 */
record Trend(
    int points,
    double spanSeconds,
    double slope,
    double levelNow,
    double mannKendallP,
    boolean monotone,
    double recentSlope,
    int recentPoints,
    double recentSpanSeconds,
    double noiseBytes) {
  static final Trend NONE = new Trend(0, 0, 0, Double.NaN, 1, false, Double.NaN, 0, 0, Double.NaN);

  /**
   * The growth the line accounts for, in units of the uncertainty noise alone would give it: for
   * evenly spread points, a fitted rise (slope × span) varies by about noise × √(12 / points).
   */
  double riseOverNoise() {
    return riseOverNoise(slope * spanSeconds, points);
  }

  /** The same for the recent half alone, against the whole window's noise. */
  double recentRiseOverNoise() {
    return recentPoints < 2 ? 0 : riseOverNoise(recentSlope * recentSpanSeconds, recentPoints);
  }

  private double riseOverNoise(double rise, int count) {
    double uncertainty = noiseBytes * Math.sqrt(12.0 / count);
    return uncertainty > 0 ? rise / uncertainty : Math.signum(rise) * Double.POSITIVE_INFINITY;
  }
}
