package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.memwatch.collector.events.AllocationSample;
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
      assertThat(tracker.liveBytesBySite()).containsOnlyKeys(leakyKey).containsEntry(leakyKey, 100_000L);
    });
    assertThat(kept).hasSize(100);
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
    assertThat((double) tracker.liveBytesBySite().get(leakyKey)).isCloseTo(1_000_000, within(250_000.0));
    assertThat(kept).hasSize(10_000);
  }

  @Test
  void samplesWithoutAnObjectAreNotFollowed() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 10);
    tracker.accept(new AllocationSample(leaky, 1000, 16, null));
    assertThat(tracker.followedObjects()).isZero();
  }

  @Test
  void growingSitesAreSuspectsAndPublished() {
    SurvivorTracker tracker = new SurvivorTracker(sites, 10_000);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LiveSitesPublisher publisher = new LiveSitesPublisher(tracker, registry, 5, 3);
    List<Object> leak = new ArrayList<>();
    Object steady = new byte[10];
    tracker.accept(new AllocationSample(healthy, 5000, 26, steady));

    for (int update = 0; update < 4; update++) {
      for (int i = 0; i < 10; i++) {
        byte[] survivor = new byte[10];
        leak.add(survivor);
        tracker.accept(new AllocationSample(leaky, 100, 26, survivor));
      }
      publisher.update();
    }

    assertThat(publisher.suspects()).extracting(LiveSitesPublisher.Suspect::site).containsExactly(leakyKey);
    assertThat(publisher.suspects().get(0).growthBytes()).isEqualTo(2000); // 3 updates back: 40 - 20 samples
    assertThat(registry.scrape())
        .contains("memwatch_site_live_bytes{site=\"com.example.Cache.put(Cache.java:42)\",type=\"byte[]\"} 4000.0")
        .contains("memwatch_site_live_bytes{site=\"com.example.Handler.serve(Handler.java:7)\",type=\"byte[]\"} 5000.0");
    assertThat(leak).isNotEmpty();
    assertThat(steady).isNotNull();
  }
}
