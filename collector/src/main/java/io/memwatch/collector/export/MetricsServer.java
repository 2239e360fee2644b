package io.memwatch.collector.export;

import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Serves the registry on {@code http://host:port/metrics} through the Prometheus library's own
 * exporter: content negotiation, the text and OpenMetrics formats and daemon worker threads come
 * with it.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;
  private final String host;

  private MetricsServer(HTTPServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Binds and starts; an {@link IOException} (a busy port, say) leaves nothing running. */
  public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port)
      throws IOException {
    return start(registry, host, port, Map.of());
  }

  /** The same, with the endpoints that act on the JVM, by path ({@code /heapdump}, {@code /retainers}). */
  public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port, Map<String, HttpHandler> endpoints)
      throws IOException {
    HTTPServer server =
        HTTPServer.builder()
            .hostname(host)
            .port(port)
            .registry(registry.getPrometheusRegistry())
            .defaultHandler(new Paths(endpoints))
            .executorService(Executors.newFixedThreadPool(2, new DaemonThreads("memwatch-http")))
            .buildAndStart();
    return new MetricsServer(server, host);
  }

  /** The port actually bound, which differs from the one asked for when that was 0. */
  public int port() {
    return server.getPort();
  }

  public String metricsUrl() {
    String shown = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + shown + ":" + port() + "/metrics";
  }

  @Override
  public void close() {
    server.close();
  }
}
