package io.memwatch.collector.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics server over real HTTP on loopback: formats, paths, and threads that never keep the host alive. */
class MetricsServerTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MetricsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void servesTheTextFormatOpenMetricsWhenAskedAndGzipWhenAccepted() throws Exception {
    Counter.builder("memwatch.test.requests").register(registry).increment(3);
    server = MetricsServer.start(registry, "127.0.0.1", 0);

    HttpResponse<byte[]> text = get("/metrics");
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain; version=0.0.4");
    assertThat(new String(text.body(), StandardCharsets.UTF_8)).contains("memwatch_test_requests_total 3.0");

    HttpResponse<byte[]> open = get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(open.headers().firstValue("Content-Type")).get().asString().startsWith("application/openmetrics-text");
    assertThat(new String(open.body(), StandardCharsets.UTF_8)).contains("memwatch_test_requests_total 3.0").endsWith("# EOF\n");

    HttpResponse<byte[]> zipped = get("/metrics", "Accept-Encoding", "gzip");
    assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("memwatch_test_requests_total 3.0");
    }
  }

  @Test
  void otherPathsSayWhereTheMetricsAreAndActionsThatAreOffSayHowToTurnThemOn() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    assertThat(new String(get("/").body(), StandardCharsets.UTF_8)).contains("/metrics");
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> heapDump = get("/heapdump");
    assertThat(heapDump.statusCode()).isEqualTo(404);
    assertThat(new String(heapDump.body(), StandardCharsets.UTF_8)).contains("heapDumpEndpoint=true");
  }

  @Test
  void itsThreadsAreNamedDaemons() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    get("/metrics");
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("memwatch-http"))
        .isNotEmpty().allMatch(Thread::isDaemon);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("qtp") || t.getName().startsWith("Scheduler-"));
  }

  @Test
  void itsThreadsInterruptedByTheHostServeOn() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    for (int round = 0; round < 3; round++) {
      assertThat(get("/metrics").statusCode()).isEqualTo(200);
      Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("memwatch-http")).forEach(Thread::interrupt);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(get("/metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theBoundPortWaitsWithOneThreadAndJettyStartsAtTheFirstConnection() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    // Jetty names its acceptor after the address it accepts on; threads of servers closed by earlier tests may linger.
    String acceptorOfThisPort = "127.0.0.1:" + server.port() + "}";
    assertThat(httpThreads()).extracting(Thread::getName).contains("memwatch-http-wait")
        .noneMatch(name -> name.endsWith(acceptorOfThisPort));
    assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", server.port())).isInstanceOf(BindException.class);

    assertThat(get("/metrics").statusCode()).isEqualTo(200);

    assertThat(httpThreads()).extracting(Thread::getName).anyMatch(name -> name.endsWith(acceptorOfThisPort));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(httpThreads()).extracting(Thread::getName).doesNotContain("memwatch-http-wait"));
  }

  @Test
  void interruptedWhileItWaitsForTheFirstConnectionItServesOn() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    for (int i = 0; i < 5; i++) {
      httpThreads().forEach(Thread::interrupt);
    }
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void closedBeforeAnyConnectionItLetsGoOfThePortAndOfItsThread() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    int port = server.port();

    server.close();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(httpThreads()).isEmpty());
    assertThat(server.reopenIfClosed()).isFalse();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  @Test
  void closedWithAScrapersConnectionStillOpenItLetsGoOfThePortAndOfEveryThreadAndNeverReopens() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    assertThat(get("/metrics").statusCode()).isEqualTo(200); // the client keeps its connection open
    int port = server.port();

    server.close();

    // A thread of it left in native code (accept, epoll_wait) would hold the JVM's exit 300 ms.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(httpThreads()).isEmpty());
    assertThat(server.reopenIfClosed()).isFalse();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  private static List<Thread> httpThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("memwatch-http")).toList();
  }
}
