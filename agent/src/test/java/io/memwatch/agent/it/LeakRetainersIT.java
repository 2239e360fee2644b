package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.OrderServiceApp;
import example.fixtures.RetainerLeakApp;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What keeps a leak, named on its suspicion at default options: a static map, listeners on a
 * singleton (named by its list, not by the singleton's own static field), and a web service's request
 * objects, made by Jackson and kept by its controller. The three JVMs run at once.
 * The other retainers (a cache object's field, a cache of objects Jackson made) are in {@link
 * LeakSuspectsIT}.
 */
class LeakRetainersIT {
  private static final Duration SUSPECTED_WITHIN = Duration.ofSeconds(120);

  @Test
  void aStaticMapAListenerListAndAControllersListAreNamedAsWhatKeepsTheirLeaks() throws Exception {
    String withJackson = ChildJvm.fixtureClasspath() + java.io.File.pathSeparator + ThirdPartyLibrariesIT.thirdPartyJars();
    try (ChildJvm audit = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(RetainerLeakApp.class, "static");
        ChildJvm listeners = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(RetainerLeakApp.class, "listeners");
        ChildJvm service = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").classpath(withJackson).run(OrderServiceApp.class)) {
      String auditMap = "example.fixtures.RetainerLeakApp.AUDIT (java.util.concurrent.ConcurrentHashMap)";
      assertThat(retainedBy(audit)).startsWith(auditMap + " holds ");
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

  private static String retainedBy(ChildJvm child) {
    child.awaitStderr("memwatch: leak suspected: ", SUSPECTED_WITHIN);
    String line = child.awaitStderr("memwatch: leak retained by: ", Duration.ofSeconds(30));
    System.out.println("LeakRetainersIT: " + line);
    return line.substring(line.indexOf("leak retained by: ") + "leak retained by: ".length());
  }
}
