package io.memwatch.collector.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveSetTest {
  private static final long MIB = 1L << 20;
  private final LiveSet liveSet = new LiveSet(Duration.ofMinutes(30));

  private static GcEvent g1(
      String collector, String action, long atSeconds, long oldBeforeMib, long oldAfterMib) {
    return new GcEvent(
        collector,
        action,
        "cause",
        atSeconds * 1000,
        10,
        List.of(
            new PoolUsage("G1 Eden Space", 100 * MIB, 0, 100 * MIB, -1),
            new PoolUsage("G1 Survivor Space", 0, 0, 0, -1),
            new PoolUsage(
                "G1 Old Gen", oldBeforeMib * MIB, oldAfterMib * MIB, 400 * MIB, 512 * MIB)));
  }

  private static GcEvent young(long atSeconds, long oldAfterMib) {
    return g1("G1 Young Generation", "end of minor GC", atSeconds, oldAfterMib - 1, oldAfterMib);
  }

  private static GcEvent full(long atSeconds, long oldAfterMib) {
    return g1("G1 Old Generation", "end of major GC", atSeconds, oldAfterMib + 100, oldAfterMib);
  }

  @Test
  void nothingIsKnownBeforeTheFirstCollection() {
    assertThat(liveSet.bytes()).isEqualTo(-1);
    assertThat(liveSet.collections()).isZero();
  }

  @Test
  void aFullCollectionMeasuresTheLiveSet() {
    liveSet.accept(full(10, 120));

    assertThat(liveSet.bytes()).isEqualTo(120 * MIB);
    assertThat(liveSet.collections()).isEqualTo(1);
  }

  @Test
  void youngCollectionsAboveTheFloorDoNotRaiseItButOneBelowLowersIt() {
    liveSet.accept(full(10, 120));
    liveSet.accept(young(20, 180)); // old-generation garbage promoted since, not live data
    assertThat(liveSet.bytes()).isEqualTo(120 * MIB);

    liveSet.accept(young(30, 100)); // an upper bound under the floor: the live set shrank
    assertThat(liveSet.bytes()).isEqualTo(100 * MIB);
  }

  @Test
  void withoutAFloorTheLatestYoungCollectionIsTheBestBound() {
    liveSet.accept(young(10, 150));
    liveSet.accept(young(20, 170));

    assertThat(liveSet.bytes()).isEqualTo(170 * MIB);
  }

  @Test
  void aFloorOlderThanItsFreshnessNoLongerStandsForTheLiveSet() {
    liveSet.accept(full(10, 40)); // a start-up full collection
    liveSet.accept(young(10 + 29 * 60, 300));
    assertThat(liveSet.bytes()).isEqualTo(40 * MIB);

    liveSet.accept(young(10 + 31 * 60, 310));
    assertThat(liveSet.bytes()).isEqualTo(310 * MIB);
  }

  @Test
  void aG1MixedCollectionIsAFloor() {
    liveSet.accept(young(10, 300));
    liveSet.accept(g1("G1 Young Generation", "end of minor GC", 20, 300, 140));
    liveSet.accept(young(30, 160));

    assertThat(liveSet.bytes()).isEqualTo(140 * MIB);
  }

  @Test
  void pausePhasesOfConcurrentCollectorsAreNotCollections() {
    liveSet.accept(full(10, 120));
    liveSet.accept(g1("G1 Concurrent GC", "end of concurrent GC pause", 20, 400, 400));
    liveSet.accept(
        new GcEvent(
            "ZGC Pauses",
            "end of GC pause",
            "Proactive",
            30_000,
            0,
            List.of(new PoolUsage("ZHeap", 400 * MIB, 400 * MIB, 400 * MIB, 512 * MIB))));

    assertThat(liveSet.bytes()).isEqualTo(120 * MIB);
    assertThat(liveSet.collections()).isEqualTo(1);
  }

  @Test
  void zgcCyclesMeasureTheLiveSetAndItsPausesDoNot() {
    liveSet.accept(
        new GcEvent(
            "ZGC Cycles",
            "end of GC cycle",
            "Allocation Rate",
            10_000,
            300,
            List.of(new PoolUsage("ZHeap", 400 * MIB, 130 * MIB, 450 * MIB, 512 * MIB))));

    assertThat(liveSet.bytes()).isEqualTo(130 * MIB);
  }
}
