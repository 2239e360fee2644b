package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.events.AllocationSample;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class TopSitesTest {
  private final SiteRegistry registry = new SiteRegistry();
  private final AllocationAggregates aggregates = new AllocationAggregates(registry, 100);
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final TopSitesPublisher publisher = new TopSitesPublisher(aggregates, meters, 2, 0.5);

  private int site(String method, String type) {
    return registry.register(new Site("com.example.Cache", method, "Cache.java", 42, type));
  }

  private void allocate(int site, long bytes) {
    aggregates.accept(new AllocationSample(site, bytes, 16, null));
  }

  @Test
  void siteReadsLikeAStackTraceElement() {
    assertThat(new Site("com.example.Cache", "put", "Cache.java", 42, "byte[]").frame())
        .isEqualTo("com.example.Cache.put(Cache.java:42)");
    assertThat(new Site("a.B", "c", null, -1, "int[]").frame()).isEqualTo("a.B.c(Unknown Source)");
  }

  @Test
  void onlyTheTopSitesGetSeriesAndTheRestIsOther() {
    int put = site("put", "byte[]");
    int get = site("get", "java.lang.String");
    int scan = site("scan", "long[]");
    allocate(put, 3000);
    allocate(get, 2000);
    allocate(scan, 1000);

    publisher.refresh();
    allocate(put, 500);
    allocate(scan, 100);
    String scrape = meters.scrape();

    assertThat(scrape)
        .contains("memwatch_site_allocated_bytes_total{site=\"com.example.Cache.put(Cache.java:42)\",type=\"byte[]\"} 3500.0")
        .contains("memwatch_site_allocated_bytes_total{site=\"com.example.Cache.get(Cache.java:42)\",type=\"java.lang.String\"} 2000.0")
        .doesNotContain("scan")
        // Everything sampled before the first choice, plus scan's bytes after it.
        .contains("memwatch_site_allocated_bytes_total{site=\"other\",type=\"other\"} 6100.0");
    assertThat(aggregates.totalBytes()).isEqualTo(6600);
  }

  @Test
  void aSiteThatCoolsDownGivesItsSeriesUpAndEverySeriesOnlyGrows() {
    int early = site("startup", "byte[]");
    int steady = site("serve", "byte[]");
    int other = site("log", "char[]");
    allocate(early, 100_000);
    allocate(steady, 10_000);
    publisher.refresh();
    assertThat(publisher.publishedSites()).hasSize(2);

    for (int round = 0; round < 10; round++) {
      allocate(steady, 10_000);
      allocate(other, 8_000);
      publisher.refresh();
    }

    assertThat(publisher.publishedSites()).extracting(SiteKey::site)
        .containsExactlyInAnyOrder("com.example.Cache.serve(Cache.java:42)", "com.example.Cache.log(Cache.java:42)");
    assertThat(meters.scrape()).doesNotContain("startup");
    double otherBefore = aggregates.otherBytes();
    allocate(early, 5);
    assertThat((double) aggregates.otherBytes()).isEqualTo(otherBefore + 5);
  }

  @Test
  void trackedSitesAreBounded() {
    AllocationAggregates small = new AllocationAggregates(registry, 3);
    for (int i = 0; i < 10; i++) {
      small.accept(new AllocationSample(site("m" + i, "byte[]"), 10, 16, null));
    }
    assertThat(small.trackedSites()).isEqualTo(3);
    assertThat(small.otherBytes()).isEqualTo(100); // nothing is published yet: all of it is "other"
    assertThat(small.totalBytes()).isEqualTo(100);
  }

  @Test
  void registryIsBoundedToo() {
    SiteRegistry tiny = new SiteRegistry(3);
    assertThat(tiny.register(new Site("a.B", "m", null, 1, "int[]"))).isEqualTo(1);
    assertThat(tiny.register(new Site("a.B", "m", null, 2, "int[]"))).isEqualTo(2);
    assertThat(tiny.register(new Site("a.B", "m", null, 3, "int[]"))).isEqualTo(SiteRegistry.OVERFLOW);
    assertThat(tiny.site(SiteRegistry.OVERFLOW).type()).isEqualTo("other");
  }
}
