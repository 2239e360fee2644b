package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import io.memwatch.collector.leak.LiveSample.Kind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GcClassifierTest {
  private static final long MIB = 1L << 20;

  private static GcEvent event(String collector, String action, PoolUsage... pools) {
    return new GcEvent(collector, action, "cause", 10_000, 30, List.of(pools));
  }

  private static PoolUsage pool(String name, long beforeMib, long afterMib, long maxMib) {
    return new PoolUsage(
        name, beforeMib * MIB, afterMib * MIB, afterMib * MIB, maxMib < 0 ? -1 : maxMib * MIB);
  }

  private static Optional<Kind> kind(String collector, String action) {
    return GcClassifier.kind(event(collector, action, pool("Old Gen", 10, 20, 100)));
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource({
    "G1 Young Generation, end of minor GC, CEILING",
    "G1 Old Generation, end of major GC, FLOOR",
    "PS Scavenge, end of minor GC, CEILING",
    "PS MarkSweep, end of major GC, FLOOR",
    "Copy, end of minor GC, CEILING",
    "MarkSweepCompact, end of major GC, FLOOR",
    "ZGC, end of major GC, FLOOR",
    "ZGC Cycles, end of GC cycle, FLOOR",
    "ZGC Minor Cycles, end of GC cycle, CEILING",
    "ZGC Major Cycles, end of GC cycle, FLOOR",
    "Shenandoah Cycles, end of GC cycle, FLOOR",
    "Shenandoah Pauses, Degenerated GC, FLOOR",
    "A Future Collector, end of major GC, FLOOR",
    "A Future Collector, end of minor GC, CEILING",
    "A Future Collector, end of GC cycle, FLOOR",
  })
  void eachCollectorsReadingIsAFloorOrACeiling(String collector, String action, Kind expected) {
    assertThat(kind(collector, action)).contains(expected);
  }

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource({
    "G1 Concurrent GC, end of concurrent GC pause",
    "ZGC Pauses, end of GC pause",
    "ZGC Minor Pauses, end of GC pause",
    "ZGC Major Pauses, end of GC pause",
    "Shenandoah Pauses, Init Mark",
    "A Future Collector, end of GC pause",
  })
  void pausePhasesOfConcurrentCollectorsGiveNoReading(String collector, String action) {
    assertThat(kind(collector, action)).isEmpty();
  }

  @Test
  void aG1YoungCollectionThatShrankTheOldGenerationWasMixed() {
    GcEvent young =
        event(
            "G1 Young Generation",
            "end of minor GC",
            pool("G1 Eden Space", 50, 0, -1),
            pool("G1 Old Gen", 200, 205, 512));
    GcEvent mixed =
        event(
            "G1 Young Generation",
            "end of minor GC",
            pool("G1 Eden Space", 50, 0, -1),
            pool("G1 Old Gen", 200, 150, 512));

    assertThat(GcClassifier.kind(young)).contains(Kind.CEILING);
    assertThat(GcClassifier.kind(mixed)).contains(Kind.FLOOR);
  }

  @Test
  void aG1RemarkThatFreedOldRegionsIsAFloorWithoutTheEdenFilledSince() {
    // As Java 25 reported a churning cache's concurrent cycle: the old generation shrank at
    // remark, no mixed collection followed.
    GcEvent remark =
        event(
            "G1 Concurrent GC",
            "end of concurrent GC pause",
            pool("G1 Eden Space", 12, 12, -1),
            pool("G1 Survivor Space", 9, 9, -1),
            pool("G1 Old Gen", 262, 175, 512));

    LiveSample sample = GcClassifier.sample(remark).orElseThrow();

    assertThat(sample.isFloor()).isTrue();
    assertThat(sample.bytes()).isEqualTo(184 * MIB);
  }

  @Test
  void theReadingIsTheHeapAfterTheCollectionWhenItEnded() {
    GcEvent full =
        event(
            "G1 Old Generation",
            "end of major GC",
            pool("G1 Eden Space", 50, 0, -1),
            pool("G1 Survivor Space", 5, 0, -1),
            pool("G1 Old Gen", 300, 120, 512));

    LiveSample sample = GcClassifier.sample(full).orElseThrow();

    assertThat(sample.atMillis()).isEqualTo(10_030);
    assertThat(sample.bytes()).isEqualTo(120 * MIB);
    assertThat(sample.isFloor()).isTrue();
    assertThat(sample.heapMaxBytes()).isEqualTo(512 * MIB);
  }

  @Test
  void anEventWithoutHeapPoolsGivesNoReading() {
    assertThat(GcClassifier.sample(event("G1 Old Generation", "end of major GC"))).isEmpty();
  }

  @Test
  void theHeapMaxIsTheSumOfFixedGenerationsButTheLargestOfSharedOnes() {
    // Parallel: fixed generations, each with its own maximum.
    assertThat(
            GcClassifier.heapMax(
                List.of(
                    pool("PS Eden Space", 1, 1, 128),
                    pool("PS Survivor Space", 1, 1, 21),
                    pool("PS Old Gen", 1, 1, 341))))
        .isEqualTo(490 * MIB);
    // G1: eden and survivors have none, the old generation reports the whole heap.
    assertThat(
            GcClassifier.heapMax(
                List.of(
                    pool("G1 Eden Space", 1, 1, -1),
                    pool("G1 Survivor Space", 1, 1, -1),
                    pool("G1 Old Gen", 1, 1, 512))))
        .isEqualTo(512 * MIB);
    // Generational ZGC: both generations report the whole heap.
    assertThat(
            GcClassifier.heapMax(
                List.of(
                    pool("ZGC Young Generation", 1, 1, 512),
                    pool("ZGC Old Generation", 1, 1, 512))))
        .isEqualTo(512 * MIB);
    // No maximum anywhere: committed memory stands in.
    assertThat(GcClassifier.heapMax(List.of(pool("Some Heap", 1, 64, -1)))).isEqualTo(64 * MIB);
  }
}
