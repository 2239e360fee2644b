package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import example.fixtures.AllocationFormsApp;
import example.fixtures.TwoSitesApp;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Per-site allocation figures from real child JVMs, against workloads whose bytes are known. */
class AllocationSitesIT {
  private static final Pattern SITE_SERIES = Pattern.compile(
      "(?m)^memwatch_site_allocated_bytes_total\\{site=\"([^\"]+)\",type=\"([^\"]+)\"} (\\S+)$");

  static Map<String, Double> siteBytes(String scrape) {
    Map<String, Double> bytes = new HashMap<>();
    Matcher matcher = SITE_SERIES.matcher(scrape);
    while (matcher.find()) {
      bytes.put(matcher.group(1) + " " + matcher.group(2), Double.parseDouble(matcher.group(3)));
    }
    return bytes;
  }

  @Test
  void twoSitesOfKnownRatioAreReportedWithinTwentyPercent() throws Exception {
    double large = TwoSitesApp.class.getDeclaredField("LARGE_COUNT").getInt(null) * (16 + 1024.0);
    double small = TwoSitesApp.class.getDeclaredField("SMALL_COUNT").getInt(null) * (16 + 16 * 8.0);
    String largeSite = "example.fixtures.TwoSitesApp.large(TwoSitesApp.java:29) byte[]";
    String smallSite = "example.fixtures.TwoSitesApp.small(TwoSitesApp.java:36) long[]";

    try (ChildJvm child = ChildJvm.withAgent("port=0").run(TwoSitesApp.class)) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        Map<String, Double> sites = siteBytes(child.scrape());
        assertThat(sites).containsKeys(largeSite, smallSite);
        // Enough bytes that sampling noise is small: at 512 KiB a sample, ~4000 samples on the small site.
        assertThat(sites.get(smallSite)).isGreaterThan(2e9);
        assertThat(sites.get(largeSite) / sites.get(smallSite)).isCloseTo(large / small, within(0.2 * large / small));
      });
      String scrape = child.scrape();
      assertThat(ChildJvm.sample(scrape, "memwatch_allocated_bytes_total")).hasValueSatisfying(v -> assertThat(v).isGreaterThan(8e9));
      assertThat(ChildJvm.sample(scrape, "memwatch_instrumentation_errors_total")).hasValue(0.0);
    }
  }

  @Test
  void everyAllocationFormIsCountedAndBehaviourIsUnchanged() throws Exception {
    String plain;
    try (ChildJvm child = ChildJvm.withoutAgent().run(AllocationFormsApp.class)) {
      child.writeStdin("go");
      plain = child.awaitStdout("^forms: \\d", Duration.ofSeconds(30));
    }
    try (ChildJvm child = ChildJvm.withAgent("port=0,topSites=200,debug=true").run(AllocationFormsApp.class)) {
      child.awaitStderr("allocation instrumentation in place", Duration.ofSeconds(60));
      child.writeStdin("go");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        Map<String, Double> sites = siteBytes(child.scrape());
        String forms = "example.fixtures.AllocationForms.";
        for (String expected : new String[] {
            // Static initialisers run once: too rare to be sampled here; the unit test sees them.
            "primitiveArrays", "objectArrays", "multiArrays", "lambda$lambdas$", "exceptions", "nested", "<init>"}) {
          assertThat(sites.keySet()).as(expected).anyMatch(site -> site.startsWith(forms + expected));
        }
      });
      child.closeStdin();
      assertThat(child.waitFor(Duration.ofSeconds(20))).isZero();
      assertThat(child.stdout()).filteredOn(line -> !line.equals("forms: waiting")).hasSize(2).allMatch(line -> line.equals(plain));
      assertThat(child.stderr()).noneMatch(line -> line.contains("Error") || line.contains("Exception") || line.contains("uninstrumented"));
    }
  }
}
