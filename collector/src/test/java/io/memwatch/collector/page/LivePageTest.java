package io.memwatch.collector.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.export.Listen;
import io.memwatch.collector.export.MetricsServer;
import io.memwatch.collector.leak.LeakVerdict;
import io.memwatch.collector.log.RecentLines;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live page over real HTTP on loopback: its files, its feed, and the same rules as {@code /metrics}. */
class LivePageTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final LiveFeed feed = new LiveFeed(registry, () -> LeakVerdict.NONE, new RecentLines(5));
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MetricsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void servesThePageAndEveryFileItNamesFromItsOwnJar() throws Exception {
    server = MetricsServer.start(registry, Listen.plain("127.0.0.1", 0), Map.of(), feed);
    assertThat(server.pageUrl()).isEqualTo("http://127.0.0.1:" + server.port() + "/");

    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(PageAssets.CONTENT_SECURITY_POLICY);
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    Matcher named = Pattern.compile("(?:src|href)=\"(page/[^\"]+|live\\.json)\"").matcher(page.body());
    int files = 0;
    while (named.find()) {
      HttpResponse<String> file = get("/" + named.group(1));
      assertThat(file.statusCode()).as(named.group(1)).isEqualTo(200);
      assertThat(file.body()).as(named.group(1)).isNotEmpty();
      files++;
    }
    assertThat(files).as("uPlot's script and style, the page's own, the feed, uPlot's licence").isGreaterThanOrEqualTo(6);
    assertThat(get("/page/uPlot.iife.min.js").body()).contains("uPlot");
    assertThat(get("/live.json").headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void withBasicAuthThePageAndItsFeedAskForItToo() throws Exception {
    Listen listen = new Listen("127.0.0.1", 0, null, new Listen.BasicAuth("prometheus", "correct horse"));
    server = MetricsServer.start(registry, listen, Map.of(), feed);
    for (String path : new String[] {"/", "/live.json", "/page/live.js"}) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(401);
      String credentials = Base64.getEncoder().encodeToString("prometheus:correct horse".getBytes(StandardCharsets.UTF_8));
      assertThat(get(path, "Authorization", "Basic " + credentials).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void withoutAFeedThereIsNoPage() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    assertThat(server.pageUrl()).isNull();
    assertThat(get("/").body()).contains("/metrics");
    assertThat(get("/live.json").statusCode()).isEqualTo(404);
    assertThat(get("/page/live.js").statusCode()).isEqualTo(404);
  }
}
