package io.memwatch.collector.sites;

/** What the per-site meters are labelled with: several site ids (a class retransformed, say) may share one key. */
public record SiteKey(String site, String type) {
  public static final SiteKey OTHER = new SiteKey("other", "other");

  public static SiteKey of(Site site) {
    return new SiteKey(site.frame(), site.type());
  }

  /**
   * Whether this names a line of code; sources mark what they cannot place in parentheses:
   * "(no stack trace)" for objects the JVM itself made, "(before sampling started)".
   */
  public boolean namesCode() {
    return !site.startsWith("(");
  }

  /** Whether memwatch itself allocated here (its code, its threads): part of the heap, never the host's growth. */
  public boolean isMemwatchs() {
    return site.startsWith("io.memwatch.");
  }
}
