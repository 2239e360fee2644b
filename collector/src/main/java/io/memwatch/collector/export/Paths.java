package io.memwatch.collector.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.httpserver.DefaultHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Everything the exporter does not serve itself: the endpoints that act on the JVM where enabled
 * (404 with a hint on how to enable them where not), and the exporter's own landing page for the rest.
 */
final class Paths implements HttpHandler {
  /** Each endpoint that acts on the JVM, with how to turn it on. */
  static final Map<String, String> OFF_HINTS = Map.of(
      "/heapdump", "heap dumps over HTTP are off: start memwatch with heapDumpEndpoint=true and a heapDumpToken\n",
      "/retainers", "the retainers' search over HTTP is off: start memwatch with retainersEndpoint=true and a heapDumpToken\n");

  private final Map<String, HttpHandler> enabled;
  private final HttpHandler landingPage = new DefaultHandler("/metrics");

  /** @param enabled the endpoints that act on the JVM that are on, by path */
  Paths(Map<String, HttpHandler> enabled) {
    this.enabled = Map.copyOf(enabled);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    HttpHandler endpoint = enabled.get(path);
    if (endpoint != null) {
      endpoint.handle(exchange);
    } else if (OFF_HINTS.containsKey(path)) {
      try (exchange) {
        byte[] body = OFF_HINTS.get(path).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
      }
    } else {
      landingPage.handle(exchange);
    }
  }
}
