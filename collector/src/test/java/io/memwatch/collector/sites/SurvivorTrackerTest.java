package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.memwatch.collector.events.AllocationSample;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.JvmClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SurvivorTrackerTest {
  private final SiteRegistry sites = new SiteRegistry();
  private final int leaky = sites.register(new Site("com.example.Cache", "put", "Cache.java", 42, "byte[]"));
  private final int healthy = sites.register(new Site("com.example.Handler", "serve", "Handler.java", 7, "byte[]"));
  private final SiteKey leakyKey = SiteKey.of(sites.site(leaky));

  @Test
  void countsOnlyWhatIsStillReachable() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 1000);
    List<Object> kept = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] survivor = new byte[100];
      kept.add(survivor);
      tracker.accept(new AllocationSample(leaky, 1000, 116, survivor));
      tracker.accept(new AllocationSample(healthy, 1000, 116, new byte[100]));
    }

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(tracker.liveBytesBySite(Long.MAX_VALUE)).containsOnlyKeys(leakyKey).containsEntry(leakyKey, 100_000L);
    });
    // Objects allocated since the last collection started have not been judged by it: not counted.
    assertThat(tracker.liveBytesBySite(0)).isEmpty();
    assertThat(kept).hasSize(100);
  }

  @Test
  void aSampleWaitingInTheQueueDoesNotKeepItsObjectAlive() {
    // The collector drains its queue every few tens of milliseconds; a collection in between must
    // find a garbage object as dead as its neighbours, or the site would be counted as keeping it.
    EventQueues queues = new EventQueues(16, 16);
    AllocationSample waiting = new AllocationSample(healthy, 1000, 116, new byte[100]);
    queues.offerAllocation(waiting);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(waiting.object().get()).isNull();
    });

    SurvivorTracker tracker = new SurvivorTracker(sites, 1000);
    tracker.accept(queues.allocations().relaxedPoll());
    assertThat(tracker.followedObjects()).isZero();
  }

  @Test
  void staysWithinItsCapacityAndStaysUnbiased() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 256);
    List<Object> kept = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      Object survivor = new byte[16];
      kept.add(survivor);
      tracker.accept(new AllocationSample(leaky, 100, 32, survivor));
    }

    assertThat(tracker.followedObjects()).isLessThanOrEqualTo(256);
    assertThat(tracker.thinning()).isGreaterThan(0);
    // 10,000 samples of 100 bytes each are alive: about a million bytes, whatever was let go.
    assertThat((double) tracker.liveBytesBySite(Long.MAX_VALUE).get(leakyKey)).isCloseTo(1_000_000, within(250_000.0));
    assertThat(kept).hasSize(10_000);
  }

  @Test
  void samplesWithoutAnObjectAreNotFollowed() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 10);
    tracker.accept(new AllocationSample(leaky, 1000, 16, null));
    assertThat(tracker.followedObjects()).isZero();
  }

  @Test
  void suspectsAreTheSitesThatKeepWhatTheyAllocatedWheneverTheyDidAndAllArePublished() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 10_000);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LiveSitesPublisher publisher = new LiveSitesPublisher(tracker, registry, 5, new OldObjects(), () -> -1);
    int cache = sites.register(new Site("com.example.Recent", "keep", "Recent.java", 3, "byte[]"));
    List<Object> kept = new ArrayList<>();
    // A minute of allocation that ended a moment ago, a sample a second from each site: the leak
    // keeps all of its own, the cache only the last ten seconds' worth, the handler nothing.
    long start = JvmClock.uptimeMillis() - 61_000;
    for (long second = 0; second < 60; second++) {
      byte[] leaked = new byte[10];
      kept.add(leaked);
      tracker.accept(new AllocationSample(leaky, 100, 26, leaked, start + second * 1000));
      byte[] cached = new byte[10];
      if (second >= 50) {
        kept.add(cached);
      }
      tracker.accept(new AllocationSample(cache, 300, 26, cached, start + second * 1000));
      tracker.accept(new AllocationSample(healthy, 1000, 26, new byte[10], start + second * 1000));
    }
    tracker.probe();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(publisher.suspects(start, start + 60_000, 0)).extracting(LiveSitesPublisher.Suspect::site)
          .containsExactly(leakyKey, SiteKey.of(sites.site(cache)));
    });
    List<LiveSitesPublisher.Suspect> suspects = publisher.suspects(start, start + 60_000, 0);
    assertThat(suspects.get(0).steady()).isTrue();
    assertThat(suspects.get(0).retainedBytes()).isEqualTo(6000);
    // The cache kept more bytes, but only of late: not steady, so ranked after the leak.
    assertThat(suspects.get(1).retainedBytes()).isEqualTo(3000);
    assertThat(suspects.get(1).steady()).isFalse();
    // Half the window: only what was allocated then counts.
    assertThat(publisher.suspects(start + 30_000, start + 60_000, 0).get(0).retainedBytes()).isEqualTo(3000);
    assertThat(tracker.steadilyKept(61_000)).containsOnlyKeys(leakyKey);
    // A window reaching back before the first followed object: its stages span only the time since,
    // so the leak fills every one of them (the leak's first stage would be empty otherwise).
    long[] leakStages = tracker.keptByStage(100_000).get(leakyKey);
    assertThat(Retention.isSteady(leakStages)).as(java.util.Arrays.toString(leakStages)).isTrue();
    assertThat(java.util.Arrays.stream(leakStages).sum()).isEqualTo(6000);
    assertThat(Retention.isSteady(tracker.keptByStage(100_000).get(SiteKey.of(sites.site(cache))))).isFalse();
    assertThat(tracker.keptByStage(200_000)).as("less than half such a window was followed").isEmpty();

    publisher.update();
    assertThat(registry.scrape())
        .contains("memwatch_site_live_bytes{site=\"com.example.Cache.put(Cache.java:42)\",type=\"byte[]\"} 6000.0")
        .contains("memwatch_site_live_bytes{site=\"com.example.Recent.keep(Recent.java:3)\",type=\"byte[]\"} 3000.0");
    assertThat(kept).hasSize(70);
  }

  @Test
  void anObjectWhoseOwnControlACollectionKeptIsNotCountedThoughTheProbesBesideItWereCleared() {
    // Stands for a young collection that overflowed the survivor space half-way: the probe copied
    // before the overflow was cleared, the garbage's reference and its control copied after it were
    // promoted, undiscovered, their referents kept until an old collection.
    List<Object> keptByTheCollection = new ArrayList<>();
    boolean[] overflowed = {false};
    SurvivorTracker tracker = keepingControlsOnceOverflowed(overflowed, keptByTheCollection);
    byte[] leaked = new byte[100];
    tracker.accept(new AllocationSample(leaky, 1000, 116, leaked));
    overflowed[0] = true;
    byte[] promotedGarbage = new byte[100];
    keptByTheCollection.add(promotedGarbage);
    tracker.accept(new AllocationSample(healthy, 1000, 116, promotedGarbage));
    tracker.probe();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(tracker.judgedBeforeMillis()).as("the probe was cleared").isNotNegative();
      assertThat(tracker.liveBytesBySite()).containsOnlyKeys(leakyKey).containsEntry(leakyKey, 1000L);
    });
    assertThat(tracker.liveBytesBySite(Long.MAX_VALUE)).as("judged or not").hasSize(2);
    assertThat(keptByTheCollection).hasSize(2);
    assertThat(leaked).hasSize(100);
  }

  @Test
  void objectsWhoseControlACollectionKeptCountAtTheirSitesJudgedSurvival() {
    List<Object> keptByTheCollection = new ArrayList<>();
    boolean[] overflowed = {false};
    SurvivorTracker tracker = keepingControlsOnceOverflowed(overflowed, keptByTheCollection);
    List<Object> alive = new ArrayList<>();
    // Judged: the leak keeps both of its objects; the handler one of four.
    for (int i = 0; i < 2; i++) {
      byte[] leaked = new byte[100];
      alive.add(leaked);
      tracker.accept(new AllocationSample(leaky, 1000, 116, leaked));
    }
    byte[] handled = new byte[100];
    alive.add(handled);
    tracker.accept(new AllocationSample(healthy, 1000, 116, handled));
    for (int i = 0; i < 3; i++) {
      tracker.accept(new AllocationSample(healthy, 1000, 116, new byte[100]));
    }
    // Copied after the overflow: two more of the leak's, and four of the handler's the collection kept.
    overflowed[0] = true;
    for (int i = 0; i < 2; i++) {
      byte[] leaked = new byte[100];
      alive.add(leaked);
      tracker.accept(new AllocationSample(leaky, 1000, 116, leaked));
    }
    for (int i = 0; i < 4; i++) {
      byte[] promoted = new byte[100];
      keptByTheCollection.add(promoted);
      tracker.accept(new AllocationSample(healthy, 1000, 116, promoted));
    }
    tracker.probe();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(tracker.liveBytesBySite())
          .containsEntry(leakyKey, 4000L)
          .as("one judged alive, and a quarter of the four kept").containsEntry(SiteKey.of(sites.site(healthy)), 2000L);
    });
    assertThat(tracker.retainedByAllocationTime(0, Long.MAX_VALUE, 1).get(leakyKey)).containsExactly(4000L);
    assertThat(alive).hasSize(5);
    assertThat(keptByTheCollection).hasSize(10);
  }

  // A tracker whose controls made once overflowed[0] is set are kept, as a collection that promoted them would.
  private SurvivorTracker keepingControlsOnceOverflowed(boolean[] overflowed, List<Object> keptByTheCollection) {
    return new SurvivorTracker(sites, 100, () -> -1, () -> 0, () -> {
      Object control = new Object();
      if (overflowed[0]) {
        keptByTheCollection.add(control);
      }
      return control;
    });
  }

  @Test
  void theJudgedHorizonAdvancesWhenACollectionClearsAProbe() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 10);
    assertThat(tracker.judgedBeforeMillis()).as("before any probe").isEqualTo(-1);

    long before = JvmClock.uptimeMillis();
    tracker.probe();
    assertThat(tracker.judgedBeforeMillis()).as("the probe has not met a collection yet").isEqualTo(-1);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(tracker.judgedBeforeMillis()).isGreaterThanOrEqualTo(before);
    });
  }

  @Test
  void sitesOnlyTheJvmsSamplerNamesShareWhatTheFollowedObjectsDoNotExplain() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 100);
    OldObjects oldObjects = new OldObjects();
    LiveSitesPublisher publisher = new LiveSitesPublisher(tracker, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 5,
        oldObjects, () -> 400L << 20);
    SiteKey put = new SiteKey("com.example.Cache.put(Cache.java:42)", "java.lang.String");
    SiteKey parse = new SiteKey("com.example.Orders.load(Orders.java:9)", "byte[]");
    // Of the live objects the JVM sampled in the window, three from the map.put line at every
    // stage, one from a load in a burst; one the hooks follow themselves; one from before the window.
    List<OldObject> sample = new ArrayList<>();
    for (long at = 0; at < 60_000; at += 4_000) {
      sample.add(new OldObject(put, at));
      sample.add(new OldObject(put, at + 1000));
      sample.add(new OldObject(put, at + 2000));
    }
    for (int i = 0; i < 15; i++) {
      sample.add(new OldObject(parse, 30_000 + i));
      sample.add(new OldObject(null, 30_000 + i));
    }
    sample.add(new OldObject(parse, -5_000));
    sample.add(new OldObject(new SiteKey("io.memwatch.collector.leak.BucketMinima.<init>(BucketMinima.java:27)", "long[]"), 20_000));
    // Nothing to name: an object the JVM made with no Java stack, and a site with a few samples whose
    // share is too small to be told from the followed objects' own error.
    sample.add(new OldObject(new SiteKey("(no stack trace).unknown(Unknown Source)", "java.lang.Class"), 10_000));
    sample.add(new OldObject(new SiteKey("com.example.Once.init(Once.java:5)", "byte[]"), 11_000));
    sample.add(new OldObject(new SiteKey("com.example.Once.init(Once.java:5)", "byte[]"), 12_000));
    oldObjects.use(() -> sample);

    List<LiveSitesPublisher.Suspect> suspects = publisher.suspects(0, 60_000, 60L << 20);

    assertThat(suspects).extracting(LiveSitesPublisher.Suspect::site).containsExactly(put, parse);
    assertThat(suspects.get(0).steady()).isTrue();
    // The window's growth by the sample: 79 objects, 15 of them the hooks' own, so 64/79 of it is the
    // unhooked sites', shared by their samples.
    assertThat(suspects.get(0).retainedBytes()).isEqualTo(Math.round(45.0 / 79 * (60L << 20)));
    assertThat(suspects.get(1).steady()).isFalse();
    assertThat(suspects.get(1).retainedBytes()).isEqualTo(Math.round(15.0 / 79 * (60L << 20)));

    // The gauges: the whole sample (80 objects, 15 the hooks') shares the 400 MiB live set, as no
    // followed object explains any of it.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new LiveSitesPublisher(tracker, registry, 5, oldObjects, () -> 400L << 20).update();
    assertThat(registry.scrape()).contains("memwatch_site_live_bytes{site=\"com.example.Cache.put(Cache.java:42)\",type=\"java.lang.String\"} "
        + (double) Math.round(45.0 / 80 * (400L << 20)));
    assertThat(registry.scrape()).as("memwatch's own objects are no site of the host's").doesNotContain("io.memwatch.");
  }

  @Test
  void aSiteNoHookFollowsClaimsNoMoreOfTheGrowthThanTheJvmsSampleGivesIt() {
    // Parallel on Java 25: a hooked leak beside request garbage that young collections promoted,
    // which counts in the window's growth until the first full collection. The only object no hook
    // follows in the JVM's sample is the leak list's grown Object[]: it must not take what the
    // followed objects do not explain (it was named with 53 MiB), only its share of the sample.
    SurvivorTracker tracker = new SurvivorTracker(sites, 100);
    OldObjects oldObjects = new OldObjects();
    LiveSitesPublisher publisher = new LiveSitesPublisher(tracker, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 5,
        oldObjects, () -> 135L << 20);
    SiteKey grownList = new SiteKey("com.example.Leak.remember(Leak.java:12)", "java.lang.Object[]");
    List<OldObject> sample = new ArrayList<>();
    for (long at = 0; at < 60_000; at += 3_000) {
      sample.add(new OldObject(null, at));
    }
    sample.add(new OldObject(grownList, 30_000));
    oldObjects.use(() -> sample);

    assertThat(publisher.suspects(0, 60_000, 80L << 20)).as("1 object of 21: 4 MiB of 80, within the estimates' error").isEmpty();

    sample.removeIf(OldObject::hooked);
    assertThat(publisher.suspects(0, 60_000, 80L << 20)).as("the sample's only object in the window")
        .extracting(LiveSitesPublisher.Suspect::retainedBytes).containsExactly(80L << 20);
  }

  /** The JVM's sample as the agent reads it: with or without a walk from the GC roots. */
  private static final class WalkedSample implements java.util.function.Supplier<List<OldObject>>, io.memwatch.collector.retainers.PathsToRoots {
    final List<io.memwatch.collector.retainers.HeldObject> walked = new ArrayList<>();

    @Override
    public List<OldObject> get() {
      return walked.stream().map(held -> new OldObject(held.site(), held.allocatedAtMillis())).toList();
    }

    @Override
    public List<io.memwatch.collector.retainers.HeldObject> heldWithPaths() {
      return List.copyOf(walked);
    }
  }

  @Test
  void aSuspectWhoseObjectsTheJvmsWalkFoundUnreachableKeepsOnlyWhatIsReachable() {
    // Strings a cache turned over, promoted and dead but not collected yet, look kept as much as the
    // leak's; the walk from the GC roots reaches none of them.
    SiteKey cache = new SiteKey("com.example.Cache.put(Cache.java:42)", "java.lang.String");
    SiteKey leak = new SiteKey("com.example.Listeners.add(Listeners.java:9)", "java.lang.String");
    WalkedSample sample = new WalkedSample();
    for (int i = 0; i < 10; i++) {
      sample.walked.add(new io.memwatch.collector.retainers.HeldObject(10_000 + i * 1000, cache, false, i >= 8, null));
      sample.walked.add(new io.memwatch.collector.retainers.HeldObject(10_500 + i * 1000, leak, false, true, null));
    }
    OldObjects oldObjects = new OldObjects();
    oldObjects.use(sample);
    LiveSitesPublisher publisher = new LiveSitesPublisher(new SurvivorTracker(sites, 1000),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 5, oldObjects, () -> 400L << 20);

    assertThat(publisher.suspects(0, 30_000, 100 << 20)).extracting(s -> s.site().site())
        .as("before any walk").containsExactlyInAnyOrder(cache.site(), leak.site());
    oldObjects.heldWithPaths();
    List<LiveSitesPublisher.Suspect> suspects = publisher.suspects(0, 30_000, 100 << 20);

    assertThat(suspects).extracting(s -> s.site().site()).containsExactly(leak.site(), cache.site());
    assertThat(suspects.get(0).retainedBytes()).isEqualTo(50L << 20);
    assertThat(suspects.get(1).retainedBytes()).isEqualTo(10L << 20);
  }

  @Test
  void aHookedSiteKeepsNoMoreThanItsShareOfWhatTheJvmsWalkReached() {
    // Parallel on Java 25: request garbage that young collections promoted keeps its weak references
    // uncleared until the first full collection, so the followed objects count it kept, at every
    // stage, more than the leak; the JVM's walk reached 16 of the leak's objects and none of it.
    SurvivorTracker tracker = new SurvivorTracker(sites, 1000);
    WalkedSample walked = new WalkedSample();
    OldObjects oldObjects = new OldObjects();
    oldObjects.use(walked);
    LiveSitesPublisher publisher = new LiveSitesPublisher(tracker, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 5,
        oldObjects, () -> -1);
    List<Object> held = new ArrayList<>();
    long start = JvmClock.uptimeMillis() - 61_000;
    for (long second = 0; second < 60; second++) {
      byte[] leaked = new byte[10];
      byte[] promotedGarbage = new byte[10];
      held.add(leaked);
      held.add(promotedGarbage);
      tracker.accept(new AllocationSample(leaky, 100, 26, leaked, start + second * 1000));
      tracker.accept(new AllocationSample(healthy, 150, 26, promotedGarbage, start + second * 1000));
    }
    tracker.probe();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(publisher.suspects(start, start + 60_000, 0)).as("before any walk").extracting(LiveSitesPublisher.Suspect::site)
          .containsExactly(SiteKey.of(sites.site(healthy)), leakyKey);
    });
    for (int i = 0; i < 16; i++) {
      walked.walked.add(new io.memwatch.collector.retainers.HeldObject(start + 30_000 + i * 1000, leakyKey, true, true, null));
    }
    oldObjects.heldWithPaths();

    List<LiveSitesPublisher.Suspect> suspects = publisher.suspects(start, start + 60_000, 0);

    assertThat(suspects).extracting(LiveSitesPublisher.Suspect::site).containsExactly(leakyKey, SiteKey.of(sites.site(healthy)));
    assertThat(suspects.get(0).retainedBytes()).as("the leak's share is all of it: untouched").isEqualTo(6000);
    assertThat(suspects.get(1).retainedBytes()).as("one in 17 of the 15,000 kept").isEqualTo(Math.round(15_000 / 17.0));
    assertThat(suspects.get(1).steady()).isFalse();
    assertThat(held).hasSize(120);
  }

  @Test
  void aSamplerThatFailsLeavesTheFollowedSitesAlone() {
    OldObjects oldObjects = new OldObjects();
    oldObjects.use(() -> {
      throw new IllegalStateException("the recording is gone");
    });

    assertThat(oldObjects.sample()).isEmpty();
  }

  @Test
  void whatCanStillBeAliveIsTheFollowedSurvivorsAndWhatTheSamplerSawUnfollowed() {
    long[] samplerSince = {-1};
    long[] dropped = {0};
    SurvivorTracker tracker = new SurvivorTracker(sites, 1000, () -> samplerSince[0], () -> dropped[0]);
    long base = 100_000;
    List<Object> kept = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      byte[] survivor = new byte[100];
      kept.add(survivor);
      tracker.accept(new AllocationSample(leaky, 1000, 116, survivor, base + 10_000 + i));
      tracker.accept(new AllocationSample(healthy, 1000, 116, new byte[100], base + 10_000 + i));
      tracker.accept(new AllocationSample(healthy, 500, 40, null, base + 10_000 + i)); // the sampler's: nothing to follow
    }
    tracker.accept(new AllocationSample(healthy, 7000, 40, null, base + 30_000)); // after the window

    // Until the sampler runs, what no hook follows is unknown.
    assertThat(tracker.aliveAtMostBytes(base + 5_000, base + 20_000, Double.POSITIVE_INFINITY)).isInfinite();
    samplerSince[0] = base + 6_000;
    assertThat(tracker.aliveAtMostBytes(base + 5_000, base + 20_000, Double.POSITIVE_INFINITY)).as("the sampler started within the window").isInfinite();

    samplerSince[0] = base + 1_000;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      System.gc();
      assertThat(tracker.aliveAtMostBytes(base + 5_000, base + 20_000, Double.POSITIVE_INFINITY)).isEqualTo(10 * 1000 + 10 * 500);
    });
    // Where a walk of the live graph says less of what no hook follows can be alive, that counts.
    assertThat(tracker.aliveAtMostBytes(base + 5_000, base + 20_000, 1200)).isEqualTo(10 * 1000 + 1200);
    assertThat(tracker.aliveAtMostBytes(base + 5_000, base + 20_000, 1e9)).isEqualTo(10 * 1000 + 10 * 500);
    // Samples lost to a full queue: nothing can be vouched for from before that was seen.
    dropped[0] = 3;
    assertThat(tracker.aliveAtMostBytes(base + 5_000, base + 20_000, Double.POSITIVE_INFINITY)).isInfinite();
    assertThat(kept).hasSize(10);
  }
}
