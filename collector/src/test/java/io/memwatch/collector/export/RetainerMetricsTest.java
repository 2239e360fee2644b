package io.memwatch.collector.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.retainers.Retainers.Retainer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainerMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RetainerMetrics metrics = new RetainerMetrics(registry);

  private List<String> series() {
    return registry.scrape().lines().filter(line -> line.startsWith("memwatch_leak_retainer_bytes{")).toList();
  }

  @Test
  void theTopThreeRetainersOfASuspicionAreSeriesUntilItIsLifted() {
    metrics.publish(List.of(
        new Retainer("example.Audit.SEEN (java.util.HashMap)", 60, 0.6, 60L << 20),
        new Retainer("example.Bus.listeners (java.util.ArrayList)", 20, 0.2, 20L << 20),
        new Retainer("example.Pool.CACHE (java.util.ArrayList)", 10, 0.1, 10L << 20),
        new Retainer("example.Other.MAP (java.util.HashMap)", 6, 0.06, 6L << 20)));

    assertThat(series()).containsExactlyInAnyOrder(
        "memwatch_leak_retainer_bytes{retainer=\"example.Audit.SEEN (java.util.HashMap)\"} 6.291456E7",
        "memwatch_leak_retainer_bytes{retainer=\"example.Bus.listeners (java.util.ArrayList)\"} 2.097152E7",
        "memwatch_leak_retainer_bytes{retainer=\"example.Pool.CACHE (java.util.ArrayList)\"} 1.048576E7");

    metrics.publish(List.of(new Retainer("example.Bus.listeners (java.util.ArrayList)", 5, 1.0, 5L << 20)));
    assertThat(series()).containsExactly(
        "memwatch_leak_retainer_bytes{retainer=\"example.Bus.listeners (java.util.ArrayList)\"} 5242880.0");

    metrics.publish(List.of());
    assertThat(series()).isEmpty();
  }
}
