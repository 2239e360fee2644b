package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.QuietApp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on the wire, against the packaged agent's endpoint in a child JVM: clients that send half
 * a request and wait, malformed and oversized requests, more connections than it keeps. Scrapes go on
 * being answered, and the host's own use of the JDK's HTTP server is left as it was (no JVM-wide
 * {@code sun.net.httpserver.*} property set).
 */
class HttpFaultsIT {
  private static final Duration SCRAPE_WITHIN = Duration.ofSeconds(2);
  private static ChildJvm child;
  private static URI metrics;

  @BeforeAll
  static void start() throws Exception {
    child = ChildJvm.withAgent("port=0").jvmArg("-Xmx256m").run(QuietApp.class, "1", "8");
    metrics = child.metricsUrl();
    child.scrape(); // warm: the first scrape registers lazily made meters
  }

  @AfterAll
  static void stop() {
    if (child != null) {
      child.close();
    }
  }

  @Test
  void aHundredClientsThatSendHalfARequestAndWaitDoNotStopScrapes() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket socket = connect();
        socket.getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        slow.add(socket);
      }
      List<Long> millis = scrapes(20);
      System.out.println("HttpFaultsIT: 20 scrapes beside 100 half-sent requests, ms: " + millis);
      assertThat(millis).allMatch(ms -> ms < SCRAPE_WITHIN.toMillis());
      // And the half-sent requests are closed after the idle timeout, not kept for ever.
      for (Socket socket : slow.subList(0, 5)) {
        socket.setSoTimeout(20_000);
        assertThat(drain(socket.getInputStream())).as("the server closed a half-sent request").isTrue();
      }
    } finally {
      closeAll(slow);
    }
  }

  @Test
  void moreConnectionsThanItKeepsDoNotStopScrapes() throws Exception {
    long socketsBefore = openSockets();
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        idle.add(connect());
      }
      List<Long> millis = scrapes(5);
      System.out.println("HttpFaultsIT: 5 scrapes beside 300 idle connections, ms: " + millis);
      assertThat(millis).as("within Prometheus's default scrape timeout").allMatch(ms -> ms < 10_000);
      assertThat(openSockets() - socketsBefore).as("connections the child keeps open").isLessThanOrEqualTo(160);
    } finally {
      closeAll(idle);
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(openSockets()).as("open sockets once the clients are gone").isLessThanOrEqualTo(socketsBefore + 5));
  }

  @Test
  void malformedAndOversizedRequestsGetAnErrorAndServingGoesOn() throws Exception {
    assertThat(rawStatusLine("HELLO WORLD\r\n\r\n")).matches("HTTP/1.1 (400|505) .*");
    assertThat(rawStatusLine("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n"))
        .startsWith("HTTP/1.1 431");
    assertThat(rawStatusLine("GET /" + "a".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n")).matches("HTTP/1.1 (414|431).*");
    assertThat(rawStatusLine("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(rawStatusLine("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 404");
    assertThat(scrapes(3)).allMatch(ms -> ms < SCRAPE_WITHIN.toMillis());
  }

  /**
   * Scrapes at 50 a second for a minute, one after another: latency; and once they stop, the child's
   * threads, open sockets and live set come back to what they were (the server's pool grows under load
   * and shrinks after its idle timeout; a scraper's kept-alive connection closes after the endpoint's).
   */
  @Test
  void fiftyScrapesASecondForAMinute() throws Exception {
    String before = child.scrape();
    Thread.sleep(11_000); // that scrape's connection closes after the endpoint's idle timeout
    long threadsBefore = threads();
    long socketsBefore = openSockets();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<Long> micros = new ArrayList<>();
    long start = System.nanoTime();
    long next = start;
    for (int i = 0; i < 50 * 60; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      next += 20_000_000;
      long sent = System.nanoTime();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      micros.add((System.nanoTime() - sent) / 1000);
      assertThat(response.statusCode()).isEqualTo(200);
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    long threadsUnderLoad = threads();
    String after = child.scrape();
    java.util.Collections.sort(micros);
    long p50 = micros.get(micros.size() / 2);
    long p99 = micros.get(micros.size() * 99 / 100);
    long max = micros.get(micros.size() - 1);
    double liveBefore = ChildJvm.sample(before, "memwatch_heap_live_bytes").orElse(0.0);
    double liveAfter = ChildJvm.sample(after, "memwatch_heap_live_bytes").orElse(0.0);
    assertThat(p99).as("p99 latency, microseconds").isLessThan(1_000_000);
    assertThat(threadsUnderLoad).as("threads under load: the server's pool is bounded").isLessThanOrEqualTo(threadsBefore + 8);
    assertThat(liveAfter).as("the child's live set after GC").isLessThan(liveBefore + (16 << 20));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(threads()).as("threads once the scrapes stopped").isLessThanOrEqualTo(threadsBefore + 1);
      assertThat(openSockets()).as("open sockets once the scrapes stopped").isLessThanOrEqualTo(socketsBefore + 1);
    });
    System.out.printf("HttpFaultsIT: %d scrapes in %d s: p50 %.1f ms, p99 %.1f ms, max %.1f ms; threads %d, %d under load, %d after;"
        + " open sockets %d -> %d; live set %.1f -> %.1f MiB%n", micros.size(), seconds, p50 / 1000.0, p99 / 1000.0, max / 1000.0,
        threadsBefore, threadsUnderLoad, threads(), socketsBefore, openSockets(), liveBefore / (1 << 20), liveAfter / (1 << 20));
  }

  private static long threads() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(child.pid()), "task"))) {
      return tasks.count();
    }
  }

  @Test
  void theHostsJdkHttpServerSettingsAreLeftAlone() throws Exception {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(child.pid()), "VM.system_properties").redirectErrorStream(true).start();
    String properties = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(jcmd.waitFor()).isZero();
    assertThat(properties).contains("java.version").doesNotContain("sun.net.httpserver.");
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(metrics.getHost(), metrics.getPort()), 5_000);
    return socket;
  }

  private static List<Long> scrapes(int count) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      millis.add((System.nanoTime() - start) / 1_000_000);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("memwatch_heap_used_bytes");
    }
    return millis;
  }

  private static String rawStatusLine(String request) throws IOException {
    try (Socket socket = connect()) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      StringBuilder line = new StringBuilder();
      InputStream in = socket.getInputStream();
      for (int c = in.read(); c >= 0 && c != '\r' && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
      return line.toString();
    } catch (java.net.SocketException reset) {
      return "(connection reset: " + reset.getMessage() + ")";
    }
  }

  /** True once the server closed the connection (end of stream or reset), false on the read timeout. */
  private static boolean drain(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // an error answer may come first
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  /** The child's open sockets: its other files (the Flight Recorder's chunks) come and go on their own. */
  private static long openSockets() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(child.pid()), "fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException gone) {
          return false;
        }
      }).count();
    }
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
