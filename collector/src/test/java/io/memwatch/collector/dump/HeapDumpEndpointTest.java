package io.memwatch.collector.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.export.GuardedEndpoint;
import io.memwatch.collector.export.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heap dump endpoint over real HTTP on loopback. */
class HeapDumpEndpointTest {
  private static final String TOKEN = "s3cret-token";
  @TempDir Path temp;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient client = HttpClient.newHttpClient();
  private MetricsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private URI start(HeapDumper dumper) throws Exception {
    server = MetricsServer.start(registry, "127.0.0.1", 0, dumper == null ? java.util.Map.of()
        : java.util.Map.of(HeapDumpEndpoint.PATH, new GuardedEndpoint(HeapDumpEndpoint.PURPOSE, TOKEN, new HeapDumpEndpoint(dumper))));
    return URI.create("http://127.0.0.1:" + server.port() + "/heapdump");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusedWithoutTokenWithAWrongOneAndOnGet() throws Exception {
    URI uri = start(HeapDumper.inDirectory(temp.resolve("dumps"), 3));

    HttpResponse<String> get = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN).GET());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");

    HttpResponse<String> anonymous = send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(anonymous.statusCode()).isEqualTo(401);

    HttpResponse<String> wrong = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer guess")
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(wrong.statusCode()).isEqualTo(403);

    assertThat(temp.resolve("dumps")).doesNotExist();
  }

  @Test
  void writesAReadableOwnerOnlyHprofAndAnswersItsPath() throws Exception {
    Path dumps = temp.resolve("dumps");
    URI uri = start(HeapDumper.inDirectory(dumps, 3));

    HttpResponse<String> response = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(response.statusCode()).isEqualTo(200);
    Path file = Path.of(response.body().trim());
    assertThat(file).exists().hasParent(dumps);
    assertThat(file.getFileName().toString()).startsWith("memwatch-").endsWith("-request.hprof");
    try (InputStream in = Files.newInputStream(file)) {
      assertThat(new String(in.readNBytes(18), StandardCharsets.US_ASCII)).isEqualTo("JAVA PROFILE 1.0.2");
    }
    assertThat(Files.size(file)).isGreaterThan(1 << 20);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dumps))).isEqualTo("rwx------");
  }

  @Test
  void neverMoreThanTheAllowedNumberOfDumps() throws Exception {
    URI uri = start(HeapDumper.inDirectory(temp.resolve("dumps"), 1));
    HttpRequest.Builder post = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody());

    assertThat(send(post).statusCode()).isEqualTo(200);
    HttpResponse<String> second = send(post);

    assertThat(second.statusCode()).isEqualTo(507);
    assertThat(second.body()).contains("at most 1");
  }

  @Test
  void neverWhenTheDiskHasNoRoomForIt() throws Exception {
    URI uri = start(new HeapDumper(temp.resolve("dumps"), 3, () -> Long.MAX_VALUE / 4));

    HttpResponse<String> response = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(response.statusCode()).isEqualTo(507);
    assertThat(response.body()).contains("MiB free");
  }

  @Test
  void aDirectoryThatCannotBeMadeIsOneClearAnswerAndServingGoesOn() throws Exception {
    Path notADirectory = Files.writeString(temp.resolve("a-file"), "in the way");
    URI uri = start(HeapDumper.inDirectory(notADirectory.resolve("dumps"), 3));

    HttpResponse<String> response = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).startsWith("heap dump failed: ").doesNotContain("\tat ").hasLineCount(1);
    assertThat(send(HttpRequest.newBuilder(uri.resolve("/metrics"))).statusCode()).isEqualTo(200);
  }

  @Test
  void offByDefault() throws Exception {
    URI uri = start(null);

    HttpResponse<String> response = send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("heapDumpEndpoint=true");
    HttpResponse<String> landing = send(HttpRequest.newBuilder(uri.resolve("/")));
    assertThat(landing.statusCode()).isEqualTo(200);
  }
}
