package example.orders;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * With {@code --audit.load=N}, once the server is up, posts N orders a second to its own
 * {@code POST /orders} over loopback from a daemon thread: each order's objects are made by Jackson
 * inside Spring's argument resolution, and the controller keeps them in {@link Audit#SEEN}.
 */
@Component
class AuditLoad implements ApplicationListener<WebServerInitializedEvent> {
  private final int perSecond;

  AuditLoad(@Value("${audit.load:0}") int perSecond) {
    this.perSecond = perSecond;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    if (perSecond <= 0) {
      return;
    }
    URI uri = URI.create("http://127.0.0.1:" + event.getWebServer().getPort() + "/orders");
    Thread thread = new Thread(() -> post(uri), "audit-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void post(URI uri) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    long next = System.nanoTime();
    for (long id = 0; ; id++) {
      try {
        client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(order(id))).build(), HttpResponse.BodyHandlers.discarding());
      } catch (Exception e) {
        return; // the service is going down
      }
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private static String order(long id) {
    StringBuilder lines = new StringBuilder();
    for (int j = 0; j < 10; j++) {
      lines.append(j == 0 ? "" : ",").append("{\"sku\":\"sku-").append((id * 7 + j) % 113)
          .append("\",\"quantity\":").append(j + 1).append(",\"price\":").append(j * 0.25).append('}');
    }
    return "{\"id\":\"order-" + id + "\",\"lines\":[" + lines + "],\"note\":\"" + "n".repeat(1500) + "\"}";
  }
}
