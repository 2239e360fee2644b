package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import io.memwatch.collector.leak.LiveSample.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcReadingsTest {
  private static final long MIB = 1L << 20;

  private static GcEvent young(long startMillis, long oldBeforeMib, long oldAfterMib) {
    return new GcEvent("G1 Young Generation", "end of minor GC", "G1 Evacuation Pause", startMillis, 5, List.of(
        new PoolUsage("G1 Eden Space", 80 * MIB, 0, 100 * MIB, -1),
        new PoolUsage("G1 Old Gen", oldBeforeMib * MIB, oldAfterMib * MIB, 300 * MIB, 512 * MIB)));
  }

  @Test
  void aYoungCollectionThatFindsTheOldGenerationEmptiedSinceTheLastFollowsAnUnreportedRemark() {
    // Java 17: G1 reports no concurrent cycle; the remark freed 74 MiB of dead old regions between
    // these two young collections (as recorded from a churning cache).
    GcReadings readings = new GcReadings();

    assertThat(readings.sample(young(48_100, 232, 257)).orElseThrow().kind()).isEqualTo(Kind.CEILING);
    assertThat(readings.sample(young(58_600, 183, 200)).orElseThrow().kind()).isEqualTo(Kind.FLOOR);
    assertThat(readings.sample(young(60_500, 200, 208)).orElseThrow().kind()).isEqualTo(Kind.CEILING);
  }

  @Test
  void lessThanATwentiethOfTheHeapIsNoSignOfAMarking() {
    GcReadings readings = new GcReadings();

    readings.sample(young(1000, 200, 230));

    assertThat(readings.sample(young(2000, 210, 220)).orElseThrow().kind()).isEqualTo(Kind.CEILING);
  }

  @Test
  void whereG1ReportsItsRemarksTheirReadingsAreTakenInstead() {
    GcReadings readings = new GcReadings();
    readings.sample(young(1000, 200, 250));
    GcEvent remark = new GcEvent("G1 Concurrent GC", "end of concurrent GC pause", "No GC", 1500, 3, List.of(
        new PoolUsage("G1 Eden Space", 10 * MIB, 10 * MIB, 100 * MIB, -1),
        new PoolUsage("G1 Old Gen", 250 * MIB, 180 * MIB, 300 * MIB, 512 * MIB)));

    assertThat(readings.sample(remark).orElseThrow().kind()).isEqualTo(Kind.FLOOR);
    assertThat(readings.sample(young(3000, 180, 190)).orElseThrow().kind()).isEqualTo(Kind.CEILING);
    // Even a drop the remark event did not show is left to the events from now on.
    assertThat(readings.sample(young(5000, 120, 130)).orElseThrow().kind()).isEqualTo(Kind.CEILING);
  }
}
