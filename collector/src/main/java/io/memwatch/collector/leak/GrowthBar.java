package io.memwatch.collector.leak;

/**
 * What a {@link Trend} must show to count as growth at one window length.
 *
 * <p>Growth must be fast enough to matter (at its rate, {@code minRiseBytes} across the whole
 * window, even while its readings cover only three quarters of it, as at the JVM's start), cover
 * most of the window, and still be there in the window's recent half (a warm-up that has levelled off
 * rises over the window but not in its recent half). Then it must be real, in one of two ways:
 *
 * <ul>
 *   <li>{@link Evidence#SIGNIFICANT}: a Mann–Kendall test at {@code maxP}, with the rise well
 *       clear of the noise; the way for many readings that scatter;
 *   <li>{@link Evidence#STEADY_CLIMB}: at least {@value #MIN_POINTS} readings (three, for young
 *       collections' readings: {@link #forYoungReadings}), none below the one before, on a line
 *       they stray from by a small fraction of the rise. Collectors that run a young collection
 *       every 15 s (Parallel and Serial at their default young generation) give four or five
 *       readings a minute: too few for any test of ranks, yet a leak puts them on a line, and
 *       nothing random does that.
 * </ul>
 *
 * <p>Two bars make the hysteresis: a suspicion starts only when a trend clears the {@link #onset}
 * bar, and holds for as long as some trend still clears the lower {@link #hold} bar. A leak that
 * hovers around the onset bar therefore does not switch the verdict on and off.
 *
 * @param minRiseBytes growth the line's slope must amount to across the window
 * @param maxP one-sided Mann–Kendall p-value the rise must reach
 * @param minRiseOverNoise how many times the uncertainty noise alone gives a fitted rise the rise
 *     must be: the test runs after every collection, and over days a 1% test passes by chance on
 *     a noisy flat series; a rise well clear of the noise does not
 * @param minRecentShare how much of the slope must still be there in the window's recent half
 * @param minRecentRiseOverNoise the recent half's own rise against the noise, so that a flat recent
 *     half cannot pass on a slope noise gave it
 * @param minClimbRiseOverNoise the rise against the noise that makes a monotone series a steady
 *     climb
 * @param minCoverage how much of the window the readings must span, so that a burst at its very
 *     end is not a trend
 * @param threeReadingClimbs whether {@value #MIN_CLIMB_POINTS} readings over three fifths of the window
 *     can make a steady climb (see {@link #forYoungReadings})
 */
record GrowthBar(
    double minRiseBytes,
    double maxP,
    double minRiseOverNoise,
    double minRecentShare,
    double minRecentRiseOverNoise,
    double minClimbRiseOverNoise,
    double minCoverage,
    boolean threeReadingClimbs) {

  /** Why a trend counts as growth, if it does. */
  enum Evidence {
    NONE,
    SIGNIFICANT,
    STEADY_CLIMB,
    /** Followed objects from every stage of the window survive, and the heap's readings agree. */
    KEPT;

    boolean isGrowth() {
      return this != NONE;
    }
  }

  /** Fewer readings than this prove nothing, however they lie. */
  static final int MIN_POINTS = 4;

  /** The fewest readings of a steady climb where {@link #forYoungReadings} allows them. */
  static final int MIN_CLIMB_POINTS = 3;
  private static final double MIN_CLIMB_COVERAGE = 0.6;

  /**
   * One-sided 0.1% significance, three times the noise, and in the recent half a third of the
   * slope, itself twice the noise; or a steady climb ten times the noise. The test runs after
   * every collection on overlapping windows, day after day, so it has to be strict: at 1% a flat
   * series with ±5% noise was suspected about once a day in simulation.
   */
  static GrowthBar onset(double riseBytes) {
    return new GrowthBar(riseBytes, 0.001, 3, 1.0 / 3, 2, 10, 0.75, false);
  }

  /**
   * For the reachable bytes of one site, counted after collections of the old generation: the
   * rise, one-sided 5% significance or a steady climb three times the noise, a third of the slope
   * recent. Lower than the heap's bars because a site's count carries no one else's noise, and
   * because it must also show that the site kept objects from every stage of the window, which
   * no noise does.
   */
  static GrowthBar siteOnset(double riseBytes) {
    return new GrowthBar(riseBytes, 0.05, 2, 1.0 / 3, 1, 3, 0.75, false);
  }

  /**
   * Half the rise, one-sided 5% significance, twice the noise, a quarter of the slope recent, over
   * half the window: between two collections of the old generation minutes apart, a long window
   * slides past its oldest reading with no new one to take its place, and that is no sign that the
   * growth stopped.
   */
  static GrowthBar hold(double riseBytes) {
    return new GrowthBar(riseBytes / 2, 0.05, 2, 0.25, 1, 5, 0.5, false);
  }

  /**
   * The same bar for young collections' readings, where three readings on a line over three fifths
   * of the window (two intervals of 18 s or more) also make a steady climb: G1 on Java 25 collects
   * a 512 MiB heap's young generation every 20 s or more at a modest allocation rate, three
   * readings a minute, and a leak the JDK makes has no followed objects to speak for them. Not for
   * floors: a day of a healthy heap's sparse floors puts three on a line now and then.
   */
  GrowthBar forYoungReadings() {
    return new GrowthBar(minRiseBytes, maxP, minRiseOverNoise, minRecentShare, minRecentRiseOverNoise,
        minClimbRiseOverNoise, minCoverage, true);
  }

  Evidence judge(Trend trend, double windowSeconds) {
    boolean threeOnALine = threeReadingClimbs && trend.points() == MIN_CLIMB_POINTS && trend.monotone()
        && trend.spanSeconds() >= Math.min(minCoverage, MIN_CLIMB_COVERAGE) * windowSeconds;
    boolean growing =
        (trend.points() >= MIN_POINTS && trend.spanSeconds() >= minCoverage * windowSeconds || threeOnALine)
            && trend.slope() > 0
            && trend.slope() * windowSeconds >= minRiseBytes
            && trend.recentSlope() > 0
            && trend.recentSlope() >= minRecentShare * trend.slope()
            && trend.recentRiseOverNoise() >= minRecentRiseOverNoise;
    if (!growing) {
      return Evidence.NONE;
    }
    if (trend.monotone() && trend.riseOverNoise() >= minClimbRiseOverNoise) {
      return Evidence.STEADY_CLIMB;
    }
    if (trend.mannKendallP() <= maxP && trend.riseOverNoise() >= minRiseOverNoise) {
      return Evidence.SIGNIFICANT;
    }
    return Evidence.NONE;
  }
}
