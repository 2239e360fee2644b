package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MarkingProbeTest {
  @Test
  void aProbeHeldThroughSixteenCollectionsAndLetGoIsClearedOnlyByAWholeHeapCollection() {
    MarkingProbe probe = new MarkingProbe();
    for (int i = 0; i < MarkingProbe.HELD_THROUGH; i++) {
      System.gc();
      probe.afterCollection();
    }
    assertThat(probe.markings()).as("let go, not yet collected").isZero();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc(); // a full collection judges the old generation
      probe.afterCollection();
      assertThat(probe.markings()).isEqualTo(1);
    });
    // And a new probe is held again: another marking takes sixteen more collections to see.
    System.gc();
    probe.afterCollection();
    assertThat(probe.markings()).isEqualTo(1);
  }

  @Test
  void aMarkingReportedByTheFlightRecorderCountsAtOnce() {
    SurvivorTracker tracker = new SurvivorTracker(new SiteRegistry(), 10);

    tracker.afterCollection(io.memwatch.collector.events.GcEvent.marking("G1 Concurrent Cycle", 1000, 40));

    assertThat(tracker.oldGenerationMarkings()).isEqualTo(1);
  }
}
