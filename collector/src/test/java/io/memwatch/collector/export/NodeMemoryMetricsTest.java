package io.memwatch.collector.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.memory.MemorySnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeMemoryMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void publishesTheFourNodeFiguresUnderTheirContractNames() {
    AtomicReference<MemorySnapshot> snapshot = new AtomicReference<>(new MemorySnapshot(1000, 800, 600, 4000, 50));
    new NodeMemoryMetrics(snapshot::get, OptionalLong.of(2048)).bindTo(registry);

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("memwatch_rss_bytes 1000.0")
        .contains("memwatch_heap_total_bytes 800.0")
        .contains("memwatch_heap_used_bytes 600.0")
        .contains("memwatch_heap_max_bytes 4000.0")
        .contains("memwatch_external_bytes 50.0")
        .contains("memwatch_memory_limit_bytes 2048.0")
        .contains("# HELP memwatch_rss_bytes ");
  }

  @Test
  void followsTheLatestSnapshot() {
    AtomicReference<MemorySnapshot> snapshot = new AtomicReference<>(new MemorySnapshot(1, 2, 3, 4, 5));
    new NodeMemoryMetrics(snapshot::get, OptionalLong.empty()).bindTo(registry);
    snapshot.set(new MemorySnapshot(10, 20, 30, 40, 50));

    assertThat(registry.scrape()).contains("memwatch_heap_used_bytes 30.0");
  }

  @Test
  void noContainerLimitMeansNoLimitSeriesAndUnknownFiguresAreNaN() {
    new NodeMemoryMetrics(() -> MemorySnapshot.UNKNOWN, OptionalLong.empty()).bindTo(registry);

    String scrape = registry.scrape();

    assertThat(scrape).doesNotContain("memwatch_memory_limit_bytes").contains("memwatch_rss_bytes NaN");
  }
}
