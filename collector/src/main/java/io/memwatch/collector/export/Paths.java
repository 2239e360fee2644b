package io.memwatch.collector.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.memwatch.collector.dump.HeapDumpEndpoint;
import io.prometheus.metrics.exporter.httpserver.DefaultHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Everything the exporter does not serve itself: {@code /heapdump} when enabled (404 with a hint
 * when not), and the exporter's own landing page for the rest.
 */
final class Paths implements HttpHandler {
  private final HttpHandler heapDump;
  private final HttpHandler landingPage = new DefaultHandler("/metrics");

  /** @param heapDump the heap dump endpoint, or null while heap dumps are off */
  Paths(HttpHandler heapDump) {
    this.heapDump = heapDump;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals(HeapDumpEndpoint.PATH)) {
      landingPage.handle(exchange);
    } else if (heapDump != null) {
      heapDump.handle(exchange);
    } else {
      try (exchange) {
        byte[] body = "heap dumps over HTTP are off: start memwatch with heapDumpEndpoint=true and a heapDumpToken\n"
            .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
      }
    }
  }
}
