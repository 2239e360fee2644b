package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.export.LeakMetrics;
import io.memwatch.collector.export.LiveSetMetrics;
import io.memwatch.collector.live.LiveSet;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus names are a contract (shared/PRODUCT.md): dashboards and alert rules use them. */
class LeakMetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("(?m)^(memwatch_[a-z_]+)[ {]");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<LeakVerdict> verdict = new AtomicReference<>(LeakVerdict.NONE);

  private static Set<String> memwatchNames(String scrape) {
    Set<String> names = new TreeSet<>();
    Matcher matcher = SAMPLE.matcher(scrape);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  @Test
  void theLeakMetersHaveExactlyTheContractsNames() {
    new LeakMetrics(verdict::get).bindTo(registry);
    new LiveSetMetrics(new LiveSet()).bindTo(registry);

    String scrape = registry.scrape();

    assertThat(memwatchNames(scrape))
        .containsExactly(
            "memwatch_heap_exhaustion_seconds",
            "memwatch_heap_growth_bytes_per_second",
            "memwatch_heap_live_bytes",
            "memwatch_leak_suspected");
    assertThat(scrape)
        .contains("# HELP memwatch_heap_growth_bytes_per_second ")
        .contains("# HELP memwatch_heap_exhaustion_seconds ")
        .contains("# HELP memwatch_leak_suspected ")
        .contains("# TYPE memwatch_leak_suspected gauge");
  }

  @Test
  void withoutASuspicionThereIsNoGrowthAndNoExhaustion() {
    new LeakMetrics(verdict::get).bindTo(registry);

    assertThat(registry.scrape())
        .contains("memwatch_heap_growth_bytes_per_second 0.0")
        .contains("memwatch_heap_exhaustion_seconds NaN")
        .contains("memwatch_leak_suspected 0.0");
  }

  @Test
  void aSuspicionShowsItsRateAndTimeLeft() {
    new LeakMetrics(verdict::get).bindTo(registry);

    verdict.set(new LeakVerdict(true, 2_097_152, 240, 300L << 20, 512L << 20, 50_000, 60, 70_000));

    assertThat(registry.scrape())
        .contains("memwatch_heap_growth_bytes_per_second 2097152.0")
        .contains("memwatch_heap_exhaustion_seconds 240.0")
        .contains("memwatch_leak_suspected 1.0");
  }
}
