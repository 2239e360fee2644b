package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TrendFitTest {
  private final TrendFit fit = new TrendFit(25);
  private final double[] seconds = new double[25];
  private final double[] bytes = new double[25];

  // n points a second apart, the last one now.
  private Trend fitLine(int points, double slope, double level) {
    for (int i = 0; i < points; i++) {
      seconds[i] = i - (points - 1);
      bytes[i] = level + slope * seconds[i];
    }
    return fit.fit(seconds, bytes, points, -(points - 1) / 2.0);
  }

  @Test
  void aStraightLineIsFoundExactlyAndIsAsSignificantAsItGets() {
    Trend trend = fitLine(12, 1000, 5000);

    assertThat(trend.points()).isEqualTo(12);
    assertThat(trend.spanSeconds()).isEqualTo(11);
    assertThat(trend.slope()).isCloseTo(1000, within(1e-9));
    assertThat(trend.levelNow()).isCloseTo(5000, within(1e-6));
    assertThat(trend.recentSlope()).isCloseTo(1000, within(1e-9));
    assertThat(trend.recentPoints()).isEqualTo(6);
    // All 66 pairs rise: S = 66, variance = 12 * 11 * 29 / 18, z = 65 / 14.58, p = 4.2e-6.
    assertThat(trend.mannKendallP()).isCloseTo(4.2e-6, within(0.2e-6));
    assertThat(trend.monotone()).isTrue();
    assertThat(trend.noiseBytes()).isZero();
    assertThat(trend.riseOverNoise()).isInfinite();
  }

  @Test
  void twoWildPointsInTwelveBarelyMoveTheSlope() {
    fitLine(12, 1000, 5000);
    bytes[3] += 1_000_000;
    bytes[8] -= 1_000_000;

    Trend trend = fit.fit(seconds, bytes, 12, -5.5);

    assertThat(trend.slope()).isCloseTo(1000, within(150.0));
  }

  @Test
  void noiseAroundAFlatLineShowsNoTrendAndItsOwnSize() {
    Random random = new Random(3);
    for (int i = 0; i < 24; i++) {
      seconds[i] = i - 23;
      bytes[i] = 1e8 + 1e6 * random.nextGaussian();
    }

    Trend trend = fit.fit(seconds, bytes, 24, -11.5);

    assertThat(trend.mannKendallP()).isBetween(0.025, 0.975);
    assertThat(trend.monotone()).isFalse();
    assertThat(trend.noiseBytes()).isCloseTo(1e6, within(4e5));
    assertThat(Math.abs(trend.riseOverNoise())).isLessThan(3);
  }

  @Test
  void aFallingLineIsAsUnlikelyToRiseAsItGets() {
    assertThat(fitLine(10, -50, 100).mannKendallP()).isEqualTo(1.0);
  }

  @Test
  void sevenReadingsThatAllRiseAreSignificantAtOneInAThousandButSixAreNot() {
    // Exactly: one order of seven values in 7! = 5040 rises throughout; one in 720 for six.
    assertThat(fitLine(7, 10, 10).mannKendallP()).isCloseTo(1 / 5040.0, within(1e-12));
    assertThat(fitLine(6, 10, 10).mannKendallP()).isCloseTo(1 / 720.0, within(1e-12));
  }

  @Test
  void tooFewPointsGiveNoTrend() {
    assertThat(fitLine(1, 10, 10)).isEqualTo(Trend.NONE);
    assertThat(fitLine(2, 10, 10).recentSlope()).isNaN();
    assertThat(fitLine(3, 10, 10).recentSlope()).isCloseTo(10, within(1e-9));
  }
}
