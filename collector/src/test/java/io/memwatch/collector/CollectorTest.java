package io.memwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.export.MetricsServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectorTest {
  private final Collector collector = new Collector(new EventQueues(4), Duration.ofSeconds(1));

  @AfterEach
  void close() {
    collector.close();
  }

  private static GcEvent collection(long oldAfter) {
    return new GcEvent("G1 Old Generation", "end of major GC", "System.gc()", 1000, 20,
        List.of(new GcEvent.PoolUsage("G1 Eden Space", 5000, 0, 8000, -1),
            new GcEvent.PoolUsage("G1 Old Gen", oldAfter + 100, oldAfter, 9000, 20000)));
  }

  @Test
  void gcEventsThroughTheQueueSetTheLiveSet() {
    assertThat(collector.registry().scrape()).contains("memwatch_heap_live_bytes NaN");

    collector.queues().offerGc(collection(4242));
    collector.drain().drainOnce();

    assertThat(collector.registry().scrape()).contains("memwatch_heap_live_bytes 4242.0");
  }

  @Test
  void droppedEventsAreCounted() {
    for (int i = 0; i < 10; i++) {
      collector.queues().offerGc(collection(i));
    }
    assertThat(collector.registry().scrape()).contains("memwatch_events_dropped_total 6.0");
  }

  @Test
  void micrometerJvmBindersAreThereUnchanged() {
    assertThat(collector.registry().scrape())
        .contains("jvm_memory_used_bytes{")
        .contains("jvm_buffer_memory_used_bytes{")
        .contains("jvm_threads_live_threads")
        .contains("jvm_classes_loaded_classes")
        .contains("process_uptime_seconds");
  }

  @Test
  void servesMetricsOverLoopbackOnAFreePort() throws Exception {
    try (MetricsServer server = collector.serve("127.0.0.1", 0)) {
      assertThat(server.port()).isPositive();
      assertThat(server.metricsUrl()).isEqualTo("http://127.0.0.1:" + server.port() + "/metrics");

      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.metricsUrl())).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("memwatch_heap_used_bytes ").contains("memwatch_rss_bytes ");
    }
  }

  @Test
  void busyPortIsAnIOExceptionAndNothingStaysBound() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> collector.serve("127.0.0.1", taken.getLocalPort()))
          .isInstanceOf(BindException.class);
    }
  }
}
