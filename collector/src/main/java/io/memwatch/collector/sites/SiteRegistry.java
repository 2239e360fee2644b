package io.memwatch.collector.sites;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives each allocation site a compact id at transform time, so the injected code pushes one int
 * constant, and gives the site back when a sample arrives.
 *
 * <p>Registration happens on class-loading threads, look-ups on the collector thread; both are
 * rare next to allocations, so a lock is fine. The number of sites is capped: past the cap every
 * new site shares {@link #OVERFLOW}, which keeps the agent's own memory bounded in huge applications.
 * The same site registered again gets its first id: a class that many class loaders define (plugins,
 * per-tenant loaders) has its sites once, not once per loader.
 */
public final class SiteRegistry {
  public static final int OVERFLOW = 0;
  public static final int DEFAULT_CAPACITY = 1 << 20;
  private static final Site OVERFLOW_SITE = new Site("(too many sites)", "other", null, -1, "other");

  private final int capacity;
  private Site[] sites = new Site[1024];
  private SiteKey[] keys = new SiteKey[1024];
  private final Map<Site, Integer> ids = new HashMap<>();
  private int size = 1; // id 0 is OVERFLOW

  public SiteRegistry() {
    this(DEFAULT_CAPACITY);
  }

  public SiteRegistry(int capacity) {
    this.capacity = capacity;
    sites[OVERFLOW] = OVERFLOW_SITE;
  }

  public synchronized int register(Site site) {
    Integer known = ids.get(site);
    if (known != null) {
      return known;
    }
    if (size >= capacity) {
      return OVERFLOW;
    }
    if (size == sites.length) {
      sites = Arrays.copyOf(sites, Math.min(capacity, sites.length * 2));
      keys = Arrays.copyOf(keys, sites.length);
    }
    sites[size] = site;
    ids.put(site, size);
    return size++;
  }

  /**
   * The key of the site with this id, made once: thousands of followed objects share a few sites,
   * and each would otherwise carry its own copy of the site's text.
   */
  public synchronized SiteKey key(int id) {
    int slot = id > 0 && id < size ? id : OVERFLOW;
    SiteKey key = keys[slot];
    if (key == null) {
      key = SiteKey.of(sites[slot]);
      keys[slot] = key;
    }
    return key;
  }

  /** The site with this id, or the overflow site for an id never given out. */
  public synchronized Site site(int id) {
    return id > 0 && id < size ? sites[id] : OVERFLOW_SITE;
  }

  public synchronized int size() {
    return size - 1;
  }
}
