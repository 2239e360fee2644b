package io.memwatch.collector.sites;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps {@code memwatch_site_allocated_bytes_total{site,type}} to the top sites plus "other", so a
 * large application cannot blow up the number of series.
 *
 * <p>Runs on the collector thread. Sites are ranked by recent bytes (an exponentially decayed sum),
 * so a site that was hot at start-up gives its series up to today's hot sites.
 */
public final class TopSitesPublisher {
  static final String NAME = "memwatch.site.allocated";
  private static final String DESCRIPTION = "Bytes allocated per allocation site and type (estimated from samples), top sites";

  private final AllocationAggregates aggregates;
  private final MeterRegistry registry;
  private final int topSites;
  private final double decayPerRefresh;
  private final Map<SiteKey, FunctionCounter> published = new HashMap<>();

  public TopSitesPublisher(AllocationAggregates aggregates, MeterRegistry registry, int topSites, double decayPerRefresh) {
    this.aggregates = aggregates;
    this.registry = registry;
    this.topSites = topSites;
    this.decayPerRefresh = decayPerRefresh;
    FunctionCounter.builder(NAME, aggregates, AllocationAggregates::otherBytes)
        .description(DESCRIPTION)
        .baseUnit(BaseUnits.BYTES)
        .tags("site", SiteKey.OTHER.site(), "type", SiteKey.OTHER.type())
        .register(registry);
  }

  /** Publishes the current top sites and retires the ones that fell out. */
  public void refresh() {
    List<AllocationAggregates.SiteTotal> top = aggregates.topRecent(topSites, decayPerRefresh);
    Set<SiteKey> wanted = new HashSet<>();
    for (AllocationAggregates.SiteTotal site : top) {
      if (site.recentBytes() <= 0 && !site.published) {
        continue;
      }
      wanted.add(site.key());
      if (!site.published) {
        published.put(site.key(), FunctionCounter.builder(NAME, site, AllocationAggregates.SiteTotal::bytes)
            .description(DESCRIPTION)
            .baseUnit(BaseUnits.BYTES)
            .tags("site", site.key().site(), "type", site.key().type())
            .register(registry));
        aggregates.published(site, true);
      }
    }
    published.entrySet().removeIf(entry -> {
      if (wanted.contains(entry.getKey())) {
        return false;
      }
      registry.remove(entry.getValue());
      aggregates.published(aggregates.site(entry.getKey()), false);
      return true;
    });
  }

  public Set<SiteKey> publishedSites() {
    return Set.copyOf(published.keySet());
  }
}
