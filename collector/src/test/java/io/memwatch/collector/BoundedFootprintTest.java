package io.memwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.events.AllocationSample;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.sites.Site;
import io.memwatch.collector.sites.SiteRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whatever the host does, memwatch's own state stays bounded: a flood of samples from a hundred
 * thousand sites, all kept alive, and thousands of collections.
 */
class BoundedFootprintTest {
  @Test
  void aFloodFromManySitesStaysWithinEveryBound() {
    SiteRegistry sites = new SiteRegistry(50_000);
    CollectorSettings settings = CollectorSettings.DEFAULTS.withTopSites(20);
    EventQueues queues = new EventQueues(1024, 1024);
    List<Object> keptAlive = new ArrayList<>();
    try (Collector collector = new Collector(queues, sites, new InstrumentationCounts(), settings)) {
      for (int i = 0; i < 100_000; i++) {
        int site = sites.register(new Site("com.example.Gen" + i, "make", "Gen.java", i, "byte[]"));
        Object object = new byte[8];
        keptAlive.add(object);
        if (!queues.offerAllocation(new AllocationSample(site, 1024, 24, object))) {
          collector.drain().drainOnce();
          queues.offerAllocation(new AllocationSample(site, 1024, 24, object));
        }
        if (i % 10_000 == 0) {
          collector.refreshTopSites();
          collector.liveSites().update();
        }
      }
      for (int gc = 0; gc < 5_000; gc++) {
        queues.offerGc(new GcEvent("G1 Young Generation", "end of minor GC", "G1 Evacuation Pause", gc * 100L, 5,
            List.of(new GcEvent.PoolUsage("G1 Old Gen", 100 << 20, 100 << 20, 200 << 20, 512 << 20))));
        collector.drain().drainOnce();
      }
      collector.drain().drainOnce();
      collector.refreshTopSites();
      collector.liveSites().update();

      assertThat(sites.size()).isEqualTo(50_000 - 1); // the registry's cap, then "other"
      assertThat(collector.allocations().trackedSites()).isLessThanOrEqualTo(settings.maxTrackedSites());
      String scrape = collector.registry().scrape();
      assertThat(scrape.lines().filter(l -> l.startsWith("memwatch_site_allocated_bytes_total{"))).hasSizeLessThanOrEqualTo(21);
      assertThat(scrape.lines().filter(l -> l.startsWith("memwatch_site_live_bytes{"))).hasSizeLessThanOrEqualTo(21);
      assertThat(collector.allocations().totalBytes()).isEqualTo(100_000L * 1024);
    }
    assertThat(keptAlive).hasSize(100_000);
  }
}
