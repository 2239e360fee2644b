package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import java.util.List;
import org.junit.jupiter.api.Test;

class JudgedHorizonTest {
  private static GcEvent event(String collector, String action, long startMillis) {
    return new GcEvent(collector, action, "test", startMillis, 10,
        List.of(new PoolUsage("Some Old Gen", 100, 90, 200, 1000)));
  }

  @Test
  void mostCollectionsJudgeWhatWasAllocatedBeforeTheyStarted() {
    JudgedHorizon horizon = new JudgedHorizon();
    assertThat(horizon.millis()).isEqualTo(-1);

    horizon.accept(event("G1 Young Generation", "end of minor GC", 1000));
    horizon.accept(event("PS MarkSweep", "end of major GC", 5000));

    assertThat(horizon.millis()).isEqualTo(5000);
  }

  @Test
  void pausePhasesJudgeNothing() {
    JudgedHorizon horizon = new JudgedHorizon();
    horizon.accept(event("G1 Young Generation", "end of minor GC", 1000));

    horizon.accept(event("ZGC Major Pauses", "end of GC pause", 3000));
    horizon.accept(event("G1 Concurrent GC", "end of concurrent GC pause", 4000));

    assertThat(horizon.millis()).isEqualTo(1000);
  }

  @Test
  void generationalZgcJudgesAtTheMajorCycleAfterTheNext() {
    JudgedHorizon horizon = new JudgedHorizon();

    horizon.accept(event("ZGC Minor Cycles", "end of GC cycle", 1000));
    horizon.accept(event("ZGC Major Cycles", "end of GC cycle", 2000));
    assertThat(horizon.millis()).as("minor cycles keep followed objects alive").isEqualTo(-1);

    horizon.accept(event("ZGC Minor Cycles", "end of GC cycle", 3000));
    horizon.accept(event("ZGC Major Cycles", "end of GC cycle", 8000));
    assertThat(horizon.millis()).as("what was allocated before the first major cycle").isEqualTo(2000);
  }
}
