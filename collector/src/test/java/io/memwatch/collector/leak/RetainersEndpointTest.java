package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.export.GuardedEndpoint;
import io.memwatch.collector.export.MetricsServer;
import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.retainers.PathsToRoots;
import io.memwatch.collector.sites.OldObject;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import io.memwatch.collector.sites.OldObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code POST /retainers} over real HTTP on loopback, the JVM's sample played by a list. */
class RetainersEndpointTest {
  private static final String TOKEN = "s3cret-token";
  private static final String AUDIT = "example.Audit.SEEN (java.util.HashMap)";
  private static final String BUS = "example.Bus.listeners (java.util.ArrayList)";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient client = HttpClient.newHttpClient();
  private final OldObjects oldObjects = new OldObjects();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final AtomicReference<LeakVerdict> verdict = new AtomicReference<>(LeakVerdict.NONE);
  private final AtomicInteger searches = new AtomicInteger();
  private MetricsServer server;
  private URI uri;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A stand-in for the JVM's sample: 30 objects held by the audit map from 10 s on, 10 by the bus, 5 without a path. */
  private final class Sample implements Supplier<List<OldObject>>, PathsToRoots {
    private final CountDownLatch release;
    private final CountDownLatch entered = new CountDownLatch(1);

    Sample(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public List<OldObject> get() {
      return List.of();
    }

    @Override
    public List<HeldObject> heldWithPaths() {
      searches.incrementAndGet();
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<HeldObject> held = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        held.add(new HeldObject(10_000 + i * 1_000, AUDIT));
      }
      for (int i = 0; i < 10; i++) {
        held.add(new HeldObject(1_000 + i, BUS));
      }
      for (int i = 0; i < 5; i++) {
        held.add(new HeldObject(2_000 + i, null));
      }
      return held;
    }
  }

  private void start() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0, Map.of(RetainersEndpoint.PATH,
        new GuardedEndpoint(RetainersEndpoint.PURPOSE, TOKEN, new RetainersEndpoint(oldObjects, verdict::get, clock::get))));
    uri = URI.create("http://127.0.0.1:" + server.port() + RetainersEndpoint.PATH);
  }

  private HttpResponse<String> post(String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void offUnlessEnabled() throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0);
    HttpResponse<String> off = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + RetainersEndpoint.PATH)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(off.statusCode()).isEqualTo(404);
    assertThat(off.body()).contains("retainersEndpoint=true");
  }

  @Test
  void guardedLikeTheHeapDump() throws Exception {
    oldObjects.use(new Sample(new CountDownLatch(0)));
    start();
    HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(post(null).statusCode()).isEqualTo(401);
    assertThat(post("guess-the-token").statusCode()).isEqualTo(403);
    assertThat(searches).as("no search without the token").hasValue(0);
  }

  @Test
  void namesWhatKeepsTheSampledObjectsAndSearchesAtMostOnceInTenSeconds() throws Exception {
    oldObjects.use(new Sample(new CountDownLatch(0)));
    start();

    HttpResponse<String> found = post(TOKEN);
    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(found.body()).startsWith("45 sampled live objects, 40 with a path to a GC root\n")
        .contains(AUDIT + " holds 30 of 40 (75%)\n")
        .contains(BUS + " holds 10 of 40 (25%)\n")
        .doesNotContain("leak suspected");

    clock.addAndGet(9_000);
    HttpResponse<String> soon = post(TOKEN);
    assertThat(soon.statusCode()).isEqualTo(429);
    assertThat(soon.body()).contains("ask again in 1 s");
    clock.addAndGet(1_000);
    assertThat(post(TOKEN).statusCode()).isEqualTo(200);
    assertThat(searches).hasValue(2);
  }

  @Test
  void whileALeakIsSuspectedNamesWhatKeepsItsGrowth() throws Exception {
    oldObjects.use(new Sample(new CountDownLatch(0)));
    // Suspected at 40 s of uptime over a 30 s window, growing 1 MiB/s: the window holds only the audit map's objects.
    verdict.set(new LeakVerdict(true, 1 << 20, 120, 200L << 20, 512L << 20, 40_000, 30, 41_000));
    start();

    HttpResponse<String> found = post(TOKEN);
    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(found.body()).contains("leak suspected: live set grows")
        .contains("retained by: " + AUDIT + " holds 30 of 30 sampled objects of the growth with a path (about 30 MiB)");
  }

  @Test
  void oneSearchAtATime() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Sample sample = new Sample(release);
    oldObjects.use(sample);
    start();

    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
      try {
        return post(TOKEN);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(sample.entered.await(10, TimeUnit.SECONDS)).as("the first search started").isTrue();
    HttpResponse<String> second = post(TOKEN);
    release.countDown();
    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(searches).hasValue(1);
  }

  @Test
  void saysWhenTheLeakProfilerCannotRunYetAndStartsItOnceItCan() throws Exception {
    start();
    HttpResponse<String> unavailable = post(TOKEN);
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(unavailable.body()).contains("not available (yet)");

    AtomicInteger started = new AtomicInteger();
    oldObjects.offer(() -> {
      started.incrementAndGet();
      return new Sample(new CountDownLatch(0));
    });
    assertThat(started).as("asked for before it could run: started once offered").hasValue(1);
    assertThat(post(TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void startsTheLeakProfilerWhenAskedBeforeAnyGrowth() throws Exception {
    start();
    AtomicInteger started = new AtomicInteger();
    oldObjects.offer(() -> {
      started.incrementAndGet();
      return new Sample(new CountDownLatch(0));
    });
    assertThat(started).as("offered, not started: no growth yet").hasValue(0);
    HttpResponse<String> notRunning = post(TOKEN);
    assertThat(notRunning.statusCode()).isEqualTo(503);
    assertThat(notRunning.body()).contains("started now");
    assertThat(started).hasValue(1);

    assertThat(post(TOKEN).statusCode()).isEqualTo(200);
  }
}
