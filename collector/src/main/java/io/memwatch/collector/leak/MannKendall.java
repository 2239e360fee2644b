package io.memwatch.collector.leak;

/**
 * How sure a series rises: the Mann–Kendall score (rising pairs minus falling pairs) and its
 * one-sided p-value under "no trend".
 *
 * <p>Exact for up to {@value #EXACT_UP_TO} points, where the normal approximation is too cautious
 * to matter: seven readings that all rise happen by chance once in 5040 series (p = 0.0002), yet
 * the approximation puts them at 0.0013, above the 0.1% bar. A young collection every ten seconds
 * gives about seven readings a minute, so the difference decides whether a fast leak is seen in
 * the first minute. Beyond that, the normal approximation with continuity correction.
 */
final class MannKendall {
  static final int EXACT_UP_TO = 10;

  // CUMULATIVE[n][d]: the share of the n! orders of n distinct values with at most d pairs falling.
  private static final double[][] CUMULATIVE = cumulativeInversions(EXACT_UP_TO);

  private MannKendall() {}

  /** The score: pairs {@code i < j} with {@code values[j] > values[i]} minus those with less. */
  static long score(double[] values, int points) {
    long score = 0;
    for (int i = 0; i < points; i++) {
      for (int j = i + 1; j < points; j++) {
        score += Double.compare(values[j], values[i]);
      }
    }
    return score;
  }

  /**
   * The chance of a score at least this high among {@code points} values in random order. Ties
   * (readings held at one level) add nothing to the score but are counted as pairs, which only
   * makes the test more cautious.
   */
  static double upperTailP(long score, int points) {
    if (points < 2) {
      return 1;
    }
    long pairs = (long) points * (points - 1) / 2;
    if (points <= EXACT_UP_TO) {
      // With distinct values, score = pairs - 2 * falling.
      long mostFalling = Math.floorDiv(pairs - score, 2);
      return mostFalling < 0 ? 0 : CUMULATIVE[points][(int) Math.min(mostFalling, pairs)];
    }
    double variance = points * (points - 1.0) * (2.0 * points + 5) / 18.0;
    double z = (score - Math.signum((double) score)) / Math.sqrt(variance);
    return upperNormalTail(z);
  }

  private static double[][] cumulativeInversions(int largest) {
    double[][] cumulative = new double[largest + 1][];
    long[] counts = {1}; // orders of one value: one, with no falling pair
    for (int n = 1; n <= largest; n++) {
      if (n > 1) {
        // Placing the n-th value among n - 1 adds 0 to n - 1 falling pairs.
        long[] next = new long[counts.length + n - 1];
        for (int d = 0; d < counts.length; d++) {
          for (int added = 0; added < n; added++) {
            next[d + added] += counts[d];
          }
        }
        counts = next;
      }
      double total = 0;
      for (long count : counts) {
        total += count;
      }
      cumulative[n] = new double[counts.length];
      double running = 0;
      for (int d = 0; d < counts.length; d++) {
        running += counts[d];
        cumulative[n][d] = running / total;
      }
    }
    return cumulative;
  }

  // Abramowitz and Stegun 7.1.26 for erfc, good to about 1e-7: plenty for a 0.1% bar.
  private static double upperNormalTail(double z) {
    double x = Math.abs(z) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * x);
    double erfc =
        t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
            * Math.exp(-x * x);
    double upper = erfc / 2;
    return z >= 0 ? upper : 1 - upper;
  }
}
