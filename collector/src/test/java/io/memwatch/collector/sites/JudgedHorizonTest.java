package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JudgedHorizonTest {
  @Test
  void objectsAreJudgedByTheProbeAllocatedAfterThem() {
    JudgedHorizon horizon = new JudgedHorizon(16);
    // As a young collection keeps the referent of a weak reference it promoted in the same collection.
    Object keptAlive = new Object();
    horizon.probe(1_000);
    horizon.probe(2_000, keptAlive);
    horizon.probe(3_000);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(horizon.millis()).isEqualTo(3_000);
    });
    assertThat(horizon.judged(500)).isTrue();
    assertThat(horizon.judged(1_000)).isTrue();
    assertThat(horizon.judged(1_500)).as("met first by the collection that did not clear the probe beside it").isFalse();
    assertThat(horizon.judged(2_500)).isTrue();
    assertThat(horizon.judged(3_500)).as("after the newest probe: no collection has looked yet").isFalse();

    keptAlive = null;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      horizon.millis();
      assertThat(horizon.judged(1_500)).isTrue();
    });
  }

  @Test
  void aFullRingMakesRoomOnlyWhenItsOldestProbeIsCleared() {
    JudgedHorizon horizon = new JudgedHorizon(2);
    Object keptAlive = new Object();
    horizon.probe(1_000, keptAlive);
    horizon.probe(2_000);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(horizon.millis()).isEqualTo(2_000);
    });
    horizon.probe(3_000); // no room: the oldest is not judged yet
    System.gc();
    assertThat(horizon.millis()).isEqualTo(2_000);
    assertThat(horizon.judged(500)).isFalse();

    keptAlive = null;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      horizon.millis();
      assertThat(horizon.judged(500)).isTrue();
    });
    horizon.probe(4_000); // makes room by letting the cleared oldest go
    assertThat(horizon.judged(500)).as("what its probe judged stays judged").isTrue();
    assertThat(horizon.judged(3_500)).isFalse();
  }
}
