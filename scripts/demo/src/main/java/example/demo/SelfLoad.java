package example.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Sends the demo's own endpoints a steady trickle of requests over loopback. */
final class SelfLoad {
  private SelfLoad() {}

  static void start(int port, String[] paths, int perSecond) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "demo-load");
      thread.setDaemon(true);
      return thread;
    });
    long periodMicros = 1_000_000L / perSecond;
    for (String path : paths) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path.trim())).build();
      timer.scheduleAtFixedRate(() -> {
        // Asynchronous, so a slow response never holds the next request back: the rate is the rate asked for.
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).exceptionally(e -> {
          System.err.println("demo: request to " + path + " failed: " + e);
          return null;
        });
      }, 0, periodMicros, TimeUnit.MICROSECONDS);
    }
    System.out.println("demo: sending itself " + perSecond + " requests/s to each of " + String.join(", ", paths));
  }
}
