package io.memwatch.collector;

import java.time.Duration;

/**
 * How the collector runs.
 *
 * @param memoryPeriod how often the memory figures are read
 * @param topSites how many allocation sites get series of their own; the rest are "other"
 * @param siteRefreshPeriod how often the top sites are chosen again
 * @param maxTrackedSites the most sites whose totals are kept, bounding the collector's memory
 */
public record CollectorSettings(Duration memoryPeriod, int topSites, Duration siteRefreshPeriod, int maxTrackedSites) {
  public static final CollectorSettings DEFAULTS = new CollectorSettings(Duration.ofSeconds(1), 50, Duration.ofSeconds(1), 10_000);

  public CollectorSettings withTopSites(int topSites) {
    return new CollectorSettings(memoryPeriod, topSites, siteRefreshPeriod, maxTrackedSites);
  }

  public CollectorSettings withSiteRefreshPeriod(Duration period) {
    return new CollectorSettings(memoryPeriod, topSites, period, maxTrackedSites);
  }
}
