package io.memwatch.collector.sites;

import io.memwatch.collector.events.AllocationSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Bytes allocated, in total and per site, from the samples.
 *
 * <p>Written only by the collector thread; the {@code volatile} totals are read by scrape threads.
 * Memory is bounded: at most {@code maxKeys} sites are tracked, later ones count under "other".
 */
public final class AllocationAggregates implements Consumer<AllocationSample> {
  /** One site's totals. {@code published} says whether it has a series of its own right now. */
  public static final class SiteTotal {
    private final SiteKey key;
    private volatile long bytes;
    private double recentBytes;
    boolean published;

    SiteTotal(SiteKey key) {
      this.key = key;
    }

    public SiteKey key() {
      return key;
    }

    public long bytes() {
      return bytes;
    }

    public double recentBytes() {
      return recentBytes;
    }
  }

  private final SiteRegistry sites;
  private final int maxKeys;
  private final Map<Integer, SiteTotal> byId = new HashMap<>();
  private final Map<SiteKey, SiteTotal> byKey = new HashMap<>();
  private volatile long totalBytes;
  private volatile long otherBytes;
  private volatile long samples;

  public AllocationAggregates(SiteRegistry sites, int maxKeys) {
    this.sites = sites;
    this.maxKeys = maxKeys;
  }

  @Override
  public void accept(AllocationSample sample) {
    long weight = sample.weightBytes();
    totalBytes += weight; // single writer: the collector thread
    samples++;
    SiteTotal site = siteTotal(sample.site());
    if (site == null) {
      otherBytes += weight;
      return;
    }
    site.bytes += weight;
    site.recentBytes += weight;
    if (!site.published) {
      // Bytes of sites without a series of their own go to "other" as they come, so every series only grows.
      otherBytes += weight;
    }
  }

  private SiteTotal siteTotal(int id) {
    SiteTotal total = byId.get(id);
    if (total != null) {
      return total;
    }
    SiteKey key = sites.key(id);
    total = byKey.get(key);
    if (total == null) {
      if (byKey.size() >= maxKeys) {
        return null;
      }
      total = new SiteTotal(key);
      byKey.put(key, total);
    }
    byId.put(id, total);
    return total;
  }

  /** The {@code k} sites with the most bytes recently; ages the recent figures by {@code decay} (0..1]. */
  public List<SiteTotal> topRecent(int k, double decay) {
    List<SiteTotal> all = new ArrayList<>(byKey.values());
    all.sort(Comparator.comparingDouble(SiteTotal::recentBytes).reversed());
    for (SiteTotal total : all) {
      total.recentBytes *= decay;
    }
    return all.subList(0, Math.min(k, all.size()));
  }

  void published(SiteTotal site, boolean published) {
    site.published = published;
  }

  public SiteTotal site(SiteKey key) {
    return byKey.get(key);
  }

  public long totalBytes() {
    return totalBytes;
  }

  public long otherBytes() {
    return otherBytes;
  }

  public long samples() {
    return samples;
  }

  public int trackedSites() {
    return byKey.size();
  }
}
