package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.retainers.HeldObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveGraphWalkTest {
  private static final SiteKey CACHE = new SiteKey("com.example.Cache.put(Cache.java:42)", "byte[]");
  private static final SiteKey LEAK = new SiteKey("com.example.Listeners.add(Listeners.java:9)", "long[]");
  private static final SiteKey OWN = new SiteKey("io.memwatch.collector.leak.BucketMinima.<init>(BucketMinima.java:27)", "long[]");

  // One sampled object a second of `site` from `from` to `to`, reachable while younger than `life` at `now`.
  private static void sampled(List<HeldObject> objects, SiteKey site, long from, long to, long life, long now) {
    for (long at = from; at < to; at += 1000) {
      objects.add(new HeldObject(at, site, true, now - at < life, null));
    }
  }

  @Test
  void aCacheThatLetGoOfItsOlderEntriesExplainsWhatTheWindowKept() {
    List<HeldObject> objects = new ArrayList<>();
    sampled(objects, CACHE, 0, 200_000, 80_000, 200_000);
    LiveGraphWalk walk = new LiveGraphWalk(200_000, objects);

    assertThat(walk.turnoverExplains(140_000, 200_000)).isTrue();
    assertThat(walk.reached(CACHE, 0, 100_000).share()).isZero();
    assertThat(walk.reached(CACHE, 140_000, 200_000).share()).isEqualTo(1.0);
  }

  @Test
  void aCacheWhoseOlderEntriesAreMostlyAliveHasNotShownItLetsGo() {
    List<HeldObject> objects = new ArrayList<>();
    sampled(objects, CACHE, 110_000, 200_000, 80_000, 200_000); // of those before 140 s, two thirds alive

    assertThat(new LiveGraphWalk(200_000, objects).turnoverExplains(140_000, 200_000)).isFalse();
  }

  @Test
  void aLeakBesideTheCacheKeepsEnoughOfTheWindowToStandAsGrowth() {
    List<HeldObject> objects = new ArrayList<>();
    sampled(objects, CACHE, 0, 200_000, 80_000, 200_000);
    sampled(objects, LEAK, 120_000, 200_000, Long.MAX_VALUE, 200_000);
    LiveGraphWalk walk = new LiveGraphWalk(200_000, objects);

    assertThat(walk.turnoverExplains(140_000, 200_000)).isFalse();
    assertThat(walk.reached(LEAK, 120_000, 200_000).share()).isEqualTo(1.0);
  }

  @Test
  void memwatchsOwnObjectsAndAFewStragglersSayNothing() {
    List<HeldObject> objects = new ArrayList<>();
    sampled(objects, OWN, 0, 200_000, 1, 200_000);
    sampled(objects, CACHE, 197_000, 200_000, 80_000, 200_000);
    LiveGraphWalk walk = new LiveGraphWalk(200_000, objects);

    assertThat(walk.turnoverExplains(140_000, 200_000)).isFalse();
    assertThat(walk.reached(CACHE, 190_000, 200_000).share()).isNaN();
  }

  @Test
  void whatTheJdkMadeAndNoneOfItReachedLeavesOnlyRoomForWhatTheSampleMissed() {
    SiteKey batch = new SiteKey("com.example.Report.build(Report.java:20)", "byte[]");
    List<HeldObject> objects = new ArrayList<>();
    for (long at = 100_000; at < 109_000; at += 1000) {
      objects.add(new HeldObject(at, batch, false, false, null)); // nine, let go
      objects.add(new HeldObject(at, LEAK, true, true, null)); // hooked: the followed objects judge those
      objects.add(new HeldObject(at, OWN, false, true, null)); // memwatch's own
    }
    LiveGraphWalk walk = new LiveGraphWalk(200_000, objects);

    assertThat(walk.unhookedReachableAtMost(100_000, 110_000)).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(walk.judgesUnhooked(100_000, 110_000)).isTrue();
    assertThat(walk.unhookedReachableAtMost(100_000, 103_000)).as("three say nothing").isEqualTo(1.0);
    assertThat(walk.judgesUnhooked(100_000, 103_000)).as("hooked and memwatch's own objects do not count").isFalse();

    // One reached says nothing of how much: the sampler weighs its samples unevenly.
    objects.add(new HeldObject(105_500, LEAK, false, true, null));
    assertThat(new LiveGraphWalk(200_000, objects).unhookedReachableAtMost(100_000, 110_000)).isEqualTo(1.0);
  }

  @Test
  void anObjectTheWalkReachedAloneOfItsSiteIsAStragglerNotALeak() {
    SiteKey batch = new SiteKey("com.example.Report.build(Report.java:20)", "byte[]");
    SiteKey jdkState = new SiteKey("javax.management.openmbean.OpenType.isAssignableFrom(OpenType.java:369)", "byte[]");
    SiteKey history = new SiteKey("com.example.Report.remember(Report.java:31)", "byte[]");
    List<HeldObject> objects = new ArrayList<>();
    for (long at = 100_000; at < 116_000; at += 1000) {
      objects.add(new HeldObject(at, batch, false, false, null)); // sixteen, let go
    }
    objects.add(new HeldObject(104_000, jdkState, false, true, null));

    assertThat(new LiveGraphWalk(200_000, objects).unhookedReachableAtMost(100_000, 120_000))
        .isCloseTo(1 / 17.0, org.assertj.core.api.Assertions.within(1e-9));

    List<HeldObject> twoOfOneSite = new ArrayList<>(objects);
    twoOfOneSite.add(new HeldObject(150_000, jdkState, false, true, null)); // after the span: the site keeps on keeping
    assertThat(new LiveGraphWalk(200_000, twoOfOneSite).unhookedReachableAtMost(100_000, 120_000)).isEqualTo(1.0);

    List<HeldObject> threeStragglers = new ArrayList<>(objects);
    threeStragglers.add(new HeldObject(105_000, history, false, true, null));
    threeStragglers.add(new HeldObject(106_000, new SiteKey("com.example.Report.index(Report.java:40)", "int[]"), false, true, null));
    assertThat(new LiveGraphWalk(200_000, threeStragglers).unhookedReachableAtMost(100_000, 120_000))
        .as("more than one straggler per eight dead objects").isEqualTo(1.0);
  }

  @Test
  void aWalkSpeaksForTheHeapForLessThanAMinute() {
    LiveGraphWalk walk = new LiveGraphWalk(100_000, List.of());

    assertThat(walk.freshAt(100_000 + LiveGraphWalk.FRESH_MILLIS)).isTrue();
    assertThat(walk.freshAt(100_001 + LiveGraphWalk.FRESH_MILLIS)).isFalse();
    assertThat(LiveGraphWalk.NONE.freshAt(0)).isFalse();
  }
}
