package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MannKendallTest {
  @Test
  void theExactTailMatchesCountingEveryOrderOfFiveValues() {
    // Every one of the 120 orders of five values, scored; the tail at each score by counting.
    int[] order = {0, 1, 2, 3, 4};
    int[] atLeast = new int[21];
    permute(order, 0, atLeast);
    for (int score = -10; score <= 10; score += 2) {
      double counted = 0;
      for (int s = score; s <= 10; s++) {
        counted += atLeast[s + 10];
      }
      assertThat(MannKendall.upperTailP(score, 5)).as("score %d", score).isCloseTo(counted / 120, within(1e-12));
    }
  }

  @Test
  void beyondTenPointsTheNormalApproximationStillRanksRisesTheSameWay() {
    // Eleven readings: all 55 pairs rising is far beyond the 0.1% level, a score of 41 near it, and
    // a score of 0 is a coin toss.
    assertThat(MannKendall.upperTailP(55, 11)).isLessThan(1e-4);
    assertThat(MannKendall.upperTailP(41, 11)).isBetween(0.0005, 0.0015);
    assertThat(MannKendall.upperTailP(0, 11)).isCloseTo(0.5, within(0.01));
    assertThat(MannKendall.upperTailP(-55, 11)).isGreaterThan(0.9999);
  }

  @Test
  void randomOrdersPassAOnePercentTestAboutOnceInAHundred() {
    Random random = new Random(5);
    double[] values = new double[8];
    int passed = 0;
    int trials = 20_000;
    for (int t = 0; t < trials; t++) {
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextGaussian();
      }
      if (MannKendall.upperTailP(MannKendall.score(values, 8), 8) <= 0.01) {
        passed++;
      }
    }
    // Exact, so at most 1% (less, since scores move in steps of two).
    assertThat(passed / (double) trials).isBetween(0.005, 0.011);
  }

  private static void permute(int[] values, int from, int[] counts) {
    if (from == values.length) {
      double[] asDoubles = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        asDoubles[i] = values[i];
      }
      counts[(int) MannKendall.score(asDoubles, values.length) + 10]++;
      return;
    }
    for (int i = from; i < values.length; i++) {
      swap(values, from, i);
      permute(values, from + 1, counts);
      swap(values, from, i);
    }
  }

  private static void swap(int[] values, int i, int j) {
    int kept = values[i];
    values[i] = values[j];
    values[j] = kept;
  }
}
