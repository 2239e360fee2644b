package io.memwatch.collector;

import io.memwatch.collector.leak.LeakSettings;
import java.time.Duration;

/**
 * How the collector runs.
 *
 * @param memoryPeriod how often the memory figures are read
 * @param topSites how many allocation sites get series of their own; the rest are "other"
 * @param siteRefreshPeriod how often the top sites are chosen again
 * @param maxTrackedSites the most sites whose totals are kept, bounding the collector's memory
 * @param followedObjects the most sampled objects followed to see which sites' objects survive
 * @param leak how the leak detector judges the live set
 */
public record CollectorSettings(
    Duration memoryPeriod,
    int topSites,
    Duration siteRefreshPeriod,
    int maxTrackedSites,
    int followedObjects,
    LeakSettings leak) {
  public static final CollectorSettings DEFAULTS =
      new CollectorSettings(Duration.ofSeconds(1), 50, Duration.ofSeconds(1), 10_000, 8192, LeakSettings.defaults());

  /** Survivors are counted again this often for {@code memwatch_site_live_bytes}. */
  public static final Duration SURVIVOR_PERIOD = Duration.ofSeconds(5);

  public CollectorSettings withTopSites(int topSites) {
    return new CollectorSettings(memoryPeriod, topSites, siteRefreshPeriod, maxTrackedSites, followedObjects, leak);
  }

  public CollectorSettings withMemoryPeriod(Duration period) {
    return new CollectorSettings(period, topSites, siteRefreshPeriod, maxTrackedSites, followedObjects, leak);
  }

  public CollectorSettings withLeak(LeakSettings leak) {
    return new CollectorSettings(memoryPeriod, topSites, siteRefreshPeriod, maxTrackedSites, followedObjects, leak);
  }
}
