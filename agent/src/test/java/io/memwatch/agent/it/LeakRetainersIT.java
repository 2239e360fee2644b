package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.OrderServiceApp;
import example.fixtures.RetainerLeakApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What keeps a leak, named on its suspicion at default options: a static map, listeners on a
 * singleton (named by its list, not by the singleton's own static field), and a web service's request
 * objects, made by Jackson and kept by its controller; and on request ({@code POST /retainers}). The
 * three JVMs run at once.
 * The other retainers (a cache object's field, a cache of objects Jackson made) are in {@link
 * LeakSuspectsIT}.
 */
class LeakRetainersIT {
  private static final Duration SUSPECTED_WITHIN = Duration.ofSeconds(120);
  private static final String TOKEN = "a-token-for-the-test";

  @Test
  void aStaticMapAListenerListAndAControllersListAreNamedAsWhatKeepsTheirLeaks() throws Exception {
    String withJackson = ChildJvm.fixtureClasspath() + java.io.File.pathSeparator + ThirdPartyLibrariesIT.thirdPartyJars();
    try (ChildJvm audit = ChildJvm.withAgent("port=0,retainersEndpoint=true,heapDumpToken=" + TOKEN).jvmArg("-Xmx512m")
            .run(RetainerLeakApp.class, "static");
        ChildJvm listeners = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(RetainerLeakApp.class, "listeners");
        ChildJvm service = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").classpath(withJackson).run(OrderServiceApp.class)) {
      String auditMap = "example.fixtures.RetainerLeakApp.AUDIT (java.util.concurrent.ConcurrentHashMap)";
      // Asked before any growth was seen, the JVM's leak profiler is not running yet: the request starts it.
      HttpResponse<String> early = askForRetainers(audit);
      assertThat(early.statusCode()).as(early.body()).isIn(200, 503);
      assertThat(retainedBy(audit)).startsWith(auditMap + " holds ");
      // Each search finds one path per object, and which root it reaches first depends on the moment:
      // the app thread holding the map's table during a put makes a shorter path (it once named
      // `ConcurrentHashMap$Node.val`). memwatch searches again when it meets one, three times at
      // most; should all three meet it, the request is made again (a search every 10 s at most).
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(11)).untilAsserted(() -> {
        HttpResponse<String> onRequest = askForRetainers(audit);
        assertThat(onRequest.statusCode()).as(onRequest.body()).isEqualTo(200);
        assertThat(onRequest.body()).contains("\n" + auditMap + " holds ").contains("retained by: " + auditMap + " holds ");
      });
      // And as a series, while the suspicion holds.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(audit.scrape()).containsPattern("(?m)^memwatch_leak_retainer_bytes\\{retainer=\""
              + java.util.regex.Pattern.quote(auditMap) + "\"} [0-9.E]+$"));
      assertThat(retainedBy(listeners)).startsWith("example.fixtures.RetainerLeakApp$Bus.listeners (java.util.ArrayList) holds ");
      // Request objects Jackson made inside the HTTP server's handler, kept by the controller: no line
      // of the user's code allocated them, but its field keeps them.
      assertThat(retainedBy(service)).startsWith("example.fixtures.OrderServiceApp$OrdersController.accepted (java.util.ArrayList) holds ");
    }
  }

  private static HttpResponse<String> askForRetainers(ChildJvm child) throws Exception {
    URI uri = child.metricsUrl().resolve("/retainers");
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("LeakRetainersIT: POST /retainers: " + answer.statusCode() + "\n" + answer.body());
    return answer;
  }

  private static String retainedBy(ChildJvm child) {
    child.awaitStderr("memwatch: leak suspected: ", SUSPECTED_WITHIN);
    // Searched for on the suspicion, and again at later collections while nothing is named.
    String line = child.awaitStderr("memwatch: leak retained by: ", Duration.ofSeconds(90));
    System.out.println("LeakRetainersIT: " + line);
    return line.substring(line.indexOf("leak retained by: ") + "leak retained by: ".length());
  }
}
