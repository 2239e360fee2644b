package io.memwatch.collector.leak;

import java.util.Arrays;

/**
 * Fits a {@link Trend}: Theil–Sen for the slope, Mann–Kendall for its significance.
 *
 * <p>Both rank pairs of points instead of summing squares, so a single odd collection (a burst of
 * promotion, a humongous array, floating garbage) cannot drag the line the way it drags a
 * least-squares fit. O(n²) in the points, which is why windows are reduced to at most {@code
 * maxPoints} minima first. Scratch arrays are allocated once. Not thread-safe.
 */
final class TrendFit {
  private final double[] pairSlopes;
  private final double[] offsets;

  TrendFit(int maxPoints) {
    this.pairSlopes = new double[maxPoints * (maxPoints - 1) / 2];
    this.offsets = new double[maxPoints];
  }

  /**
   * @param seconds the points' times, ascending, relative to now
   * @param bytes the points' values
   * @param points how many of the arrays' entries are points
   * @param recentFromSeconds where the recent part starts (relative to now, so negative)
   */
  Trend fit(double[] seconds, double[] bytes, int points, double recentFromSeconds) {
    if (points < 2) {
      return Trend.NONE;
    }
    double slope = theilSen(seconds, bytes, 0, points);
    for (int i = 0; i < points; i++) {
      offsets[i] = bytes[i] - slope * seconds[i];
    }
    double levelNow = median(offsets, points);
    double noise = noise(seconds, bytes, points, slope, levelNow);
    int recentStart = 0;
    while (recentStart < points && seconds[recentStart] < recentFromSeconds) {
      recentStart++;
    }
    int recentPoints = points - recentStart;
    double recentSlope =
        recentPoints >= 2 ? theilSen(seconds, bytes, recentStart, points) : Double.NaN;
    double recentSpan = recentPoints > 0 ? seconds[points - 1] - seconds[recentStart] : 0;
    return new Trend(
        points,
        seconds[points - 1] - seconds[0],
        slope,
        levelNow,
        MannKendall.upperTailP(MannKendall.score(bytes, points), points),
        monotone(bytes, points),
        recentSlope,
        recentPoints,
        recentSpan,
        noise);
  }

  // Two estimates of the points' scatter around the line, each scaled to a standard deviation:
  // the median absolute residual, and the median absolute change between neighbouring residuals
  // (over √2). With a dozen points either can come out small by chance, which would make noise
  // look like signal; they rarely both do, so the larger is kept.
  private double noise(
      double[] seconds, double[] bytes, int points, double slope, double levelNow) {
    for (int i = 0; i < points; i++) {
      offsets[i] = Math.abs(bytes[i] - slope * seconds[i] - levelNow);
    }
    double residualSpread = 1.4826 * median(offsets, points);
    double previous = bytes[0] - slope * seconds[0];
    for (int i = 1; i < points; i++) {
      double residual = bytes[i] - slope * seconds[i];
      offsets[i - 1] = Math.abs(residual - previous);
      previous = residual;
    }
    double stepSpread = 1.4826 * median(offsets, points - 1) / Math.sqrt(2);
    return Math.max(residualSpread, stepSpread);
  }

  private double theilSen(double[] seconds, double[] bytes, int from, int to) {
    int pairs = 0;
    for (int i = from; i < to; i++) {
      for (int j = i + 1; j < to; j++) {
        double dt = seconds[j] - seconds[i];
        if (dt > 0) {
          pairSlopes[pairs++] = (bytes[j] - bytes[i]) / dt;
        }
      }
    }
    return pairs == 0 ? 0 : median(pairSlopes, pairs);
  }

  private static boolean monotone(double[] bytes, int points) {
    for (int i = 1; i < points; i++) {
      if (bytes[i] < bytes[i - 1]) {
        return false;
      }
    }
    return true;
  }

  private static double median(double[] values, int count) {
    Arrays.sort(values, 0, count);
    int middle = count / 2;
    return count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }
}
