package io.memwatch.collector.sites;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SiteRegistryTest {
  @Test
  void theSameSiteFromManyClassLoadersIsOneSite() {
    SiteRegistry sites = new SiteRegistry();
    int first = sites.register(new Site("com.example.Plugin", "run", "Plugin.java", 12, "byte[]"));
    for (int loader = 0; loader < 10_000; loader++) {
      assertThat(sites.register(new Site("com.example.Plugin", "run", "Plugin.java", 12, "byte[]"))).isEqualTo(first);
    }
    int other = sites.register(new Site("com.example.Plugin", "run", "Plugin.java", 13, "byte[]"));
    assertThat(other).isNotEqualTo(first);
    assertThat(sites.size()).isEqualTo(2);
    assertThat(sites.site(first).line()).isEqualTo(12);
  }

  @Test
  void pastItsCapacityNewSitesShareTheOverflowAndKnownOnesKeepTheirIds() {
    SiteRegistry sites = new SiteRegistry(3);
    int a = sites.register(new Site("A", "m", null, 1, "int[]"));
    int b = sites.register(new Site("B", "m", null, 1, "int[]"));
    assertThat(sites.register(new Site("C", "m", null, 1, "int[]"))).isEqualTo(SiteRegistry.OVERFLOW);
    assertThat(sites.register(new Site("A", "m", null, 1, "int[]"))).isEqualTo(a);
    assertThat(sites.register(new Site("B", "m", null, 1, "int[]"))).isEqualTo(b);
  }
}
