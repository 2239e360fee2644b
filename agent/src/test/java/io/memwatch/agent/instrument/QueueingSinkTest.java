package io.memwatch.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QueueingSinkTest {
  private static final double MEAN = 512 * 1024;

  @Test
  void smallAllocationsStandForAboutOneInterval() {
    // p = 1 - exp(-s/mean) ~ s/mean for s << mean, so the weight is about the mean.
    assertThat((double) QueueingSink.weight(24, 24, MEAN)).isCloseTo(MEAN, within(MEAN * 0.001));
  }

  @Test
  void hugeAllocationsStandForThemselves() {
    long tenMiB = 10L << 20;
    assertThat((double) QueueingSink.weight(tenMiB, tenMiB, MEAN)).isCloseTo(tenMiB, within(tenMiB * 0.001));
  }

  @Test
  void theRealSizeScalesTheWeightWhenTheEstimateWasOff() {
    assertThat(QueueingSink.weight(48, 24, MEAN)).isEqualTo(2 * QueueingSink.weight(24, 24, MEAN));
  }

  @Test
  void sumOfWeightsOverSimulatedSamplingIsUnbiasedPerSize() {
    // Simulate the sampler on a stream mixing 16-byte and 6 KiB allocations, with a mean small
    // enough that both kinds get thousands of samples.
    double mean = 4096;
    java.util.Random random = new java.util.Random(7);
    double[] estimated = new double[2];
    long[] actual = new long[2];
    long[] sizes = {16, 6 * 1024};
    double countdown = -Math.log(1 - random.nextDouble()) * mean;
    for (int i = 0; i < 2_000_000; i++) {
      int kind = i % 50 == 0 ? 1 : 0;
      long size = sizes[kind];
      actual[kind] += size;
      countdown -= size;
      if (countdown <= 0) {
        estimated[kind] += QueueingSink.weight(size, size, mean);
        countdown = -Math.log(1 - random.nextDouble()) * mean;
      }
    }
    assertThat(estimated[0]).isCloseTo(actual[0], within(actual[0] * 0.05));
    assertThat(estimated[1]).isCloseTo(actual[1], within(actual[1] * 0.05));
  }
}
