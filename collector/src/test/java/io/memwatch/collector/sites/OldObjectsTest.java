package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OldObjectsTest {
  private static final List<OldObject> SAMPLE = List.of(new OldObject(new SiteKey("com.example.Cache.put(Cache.java:42)", "byte[]"), 1000));
  private final AtomicInteger starts = new AtomicInteger();
  private final Supplier<Supplier<List<OldObject>>> starter = () -> {
    starts.incrementAndGet();
    return () -> SAMPLE;
  };

  @Test
  void offeredTheJvmsSampleStartsOnlyOnceTheLiveSetGrows() {
    OldObjects oldObjects = new OldObjects();
    oldObjects.offer(starter);

    assertThat(oldObjects.sample()).isEmpty();
    assertThat(starts).hasValue(0);

    oldObjects.want();
    oldObjects.want();
    assertThat(oldObjects.sample()).isEqualTo(SAMPLE);
    assertThat(starts).hasValue(1);
  }

  @Test
  void wantedBeforeItIsOfferedItStartsWhenOffered() {
    OldObjects oldObjects = new OldObjects();
    oldObjects.want();
    assertThat(oldObjects.started()).isFalse();

    oldObjects.offer(starter);
    assertThat(oldObjects.started()).isTrue();
    assertThat(oldObjects.sample()).isEqualTo(SAMPLE);
  }

  @Test
  void itsWalksSampleFromItsStartWhichTheLeakRuleCanWaitForOnlyWhileItCanStillStart() {
    OldObjects oldObjects = new OldObjects();
    assertThat(oldObjects.sampledSinceMillis()).as("no Flight Recorder offered: never").isNegative();

    oldObjects.offer(starter);
    assertThat(oldObjects.sampledSinceMillis()).as("offered, not wanted yet").isEqualTo(Long.MAX_VALUE);

    long before = io.memwatch.collector.events.JvmClock.uptimeMillis();
    oldObjects.want();
    assertThat(oldObjects.sampledSinceMillis()).isBetween(before, io.memwatch.collector.events.JvmClock.uptimeMillis());
  }

  @Test
  void aStarterThatFailsLeavesTheSampleEmpty() {
    OldObjects oldObjects = new OldObjects();
    oldObjects.offer(() -> {
      throw new IllegalStateException("no Flight Recorder");
    });
    oldObjects.want();

    assertThat(oldObjects.sample()).isEmpty();
    assertThat(oldObjects.sampledSinceMillis()).as("no walk will come").isNegative();
  }
}
