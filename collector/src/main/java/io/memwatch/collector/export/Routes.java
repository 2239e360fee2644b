package io.memwatch.collector.export;

import io.memwatch.collector.page.LiveFeed;
import io.memwatch.collector.page.PageAssets;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What each path serves: {@code /metrics} through the Prometheus library's own scrape handler
 * (content negotiation, the text and OpenMetrics formats, gzip, {@code name[]} filters), the endpoints
 * that act on the JVM where enabled (404 with a hint on how to enable them where not), the live page
 * on {@code /} with its files and its feed {@code /live.json} (a line pointing to {@code /metrics}
 * where there is no feed), and 404 for the rest. With basic auth, every path but the endpoints that
 * act on the JVM asks for it first: the page shows what {@code /metrics} does.
 */
final class Routes extends Handler.Abstract {
  static final String METRICS = "/metrics";
  /** Each endpoint that acts on the JVM, with how to turn it on. */
  static final Map<String, String> OFF_HINTS = Map.of(
      "/heapdump", "heap dumps over HTTP are off: start memwatch with heapDumpEndpoint=true and a heapDumpToken\n",
      "/retainers", "the retainers' search over HTTP is off: start memwatch with retainersEndpoint=true and a heapDumpToken\n");

  private final PrometheusScrapeHandler scrapes;
  private final Map<String, GuardedEndpoint> endpoints;
  private final LiveFeed feed;
  private final Listen.BasicAuth basicAuth;

  /**
   * @param feed what the live page shows, or null for no page
   * @param basicAuth what {@code /metrics} and the page ask for, or null for nothing
   */
  Routes(PrometheusRegistry registry, Map<String, GuardedEndpoint> endpoints, LiveFeed feed, Listen.BasicAuth basicAuth) {
    super(InvocationType.BLOCKING); // scrapes and actions block: they run on the server's own threads
    this.scrapes = new PrometheusScrapeHandler(registry);
    this.endpoints = Map.copyOf(endpoints);
    this.feed = feed;
    this.basicAuth = basicAuth;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    GuardedEndpoint endpoint = endpoints.get(path);
    // The endpoints that act on the JVM carry their own token in the Authorization header instead.
    if (basicAuth != null && endpoint == null && !basicAuth.allows(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"memwatch\", charset=\"UTF-8\"");
      text(response, 401, "memwatch asks for a user and password\n", callback);
    } else if (path.equals(METRICS)) {
      ScrapeExchange exchange = new ScrapeExchange(request, response);
      scrapes.handleRequest(exchange);
      exchange.finish();
      callback.succeeded();
    } else if (endpoint != null) {
      GuardedEndpoint.Answer answer = endpoint.answer(request.getMethod(), request.getHeaders().get(HttpHeader.AUTHORIZATION));
      answer.headers().forEach(response.getHeaders()::put);
      text(response, answer.status(), answer.body(), callback);
    } else if (OFF_HINTS.containsKey(path)) {
      text(response, 404, OFF_HINTS.get(path), callback);
    } else if (feed != null && path.equals(PageAssets.FEED)) {
      send(response, "application/json", "no-store", ByteBuffer.wrap(feed.json().getBytes(StandardCharsets.UTF_8)), callback);
    } else if (feed != null && PageAssets.at(path) != null) {
      PageAssets.Asset asset = PageAssets.at(path);
      send(response, asset.contentType(), "no-cache", ByteBuffer.wrap(PageAssets.read(asset)), callback);
    } else if (path.equals("/")) {
      text(response, 200, "memwatch: metrics are on " + METRICS + "\n", callback);
    } else {
      text(response, 404, "not found: memwatch serves " + METRICS + (feed == null ? "" : " and its live page on /") + "\n", callback);
    }
    return true;
  }

  private static void send(Response response, String contentType, String caching, ByteBuffer body, Callback callback) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, caching);
    response.getHeaders().put("Content-Security-Policy", PageAssets.CONTENT_SECURITY_POLICY);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.write(true, body, callback);
  }

  private static void text(Response response, int status, String body, Callback callback) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    Content.Sink.write(response, true, body, callback);
  }
}
