package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.JacksonCacheApp;
import example.fixtures.StringLeakApp;
import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Leaks of objects no hook sees, at default options: Strings the JDK makes and a map keeps, orders
 * Jackson makes and a cache keeps. The suspicion names the user's line that keeps them first, from
 * the JVM's own sample of live objects (its leak profiler), since no followed object tells; and the
 * next line names the field that keeps them, from the same sample's paths to GC roots.
 */
class LeakSuspectsIT {
  private static final Duration SUSPECTED_WITHIN = Duration.ofSeconds(120);

  @Test
  void aLeakOfStringsTheJdkMadeNamesTheMapPutLineFirst() throws Exception {
    String putLine = "example.fixtures.StringLeakApp$Cache.put(StringLeakApp.java:" + StringLeakApp.PUT_LINE + ")";
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(StringLeakApp.class, "leak")) {
      String line = child.awaitStderr("memwatch: leak suspected: ", SUSPECTED_WITHIN);
      System.out.println("LeakSuspectsIT: " + line);
      assertThat(firstSuspect(child, line)).startsWith(putLine + " ");
      // What keeps them: the map field of the cache the worker thread holds.
      assertThat(firstRetainer(child)).startsWith("example.fixtures.StringLeakApp$Cache.map (java.util.HashMap) holds ");
    }
  }

  @Test
  void aLeakOfObjectsJacksonMadeNamesTheUsersLineThatKeepsThemFirst() throws Exception {
    String loadLine = "example.fixtures.JacksonCacheApp$OrderCache.load(JacksonCacheApp.java:" + JacksonCacheApp.LOAD_LINE + ")";
    String classpath = ChildJvm.fixtureClasspath() + File.pathSeparator + ThirdPartyLibrariesIT.thirdPartyJars();
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").classpath(classpath)
        .run(JacksonCacheApp.class, "leak")) {
      String line = child.awaitStderr("memwatch: leak suspected: ", SUSPECTED_WITHIN);
      System.out.println("LeakSuspectsIT: " + line);
      assertThat(firstSuspect(child, line)).startsWith(loadLine + " ");
      assertThat(firstRetainer(child)).startsWith("example.fixtures.JacksonCacheApp$OrderCache.orders (java.util.HashMap) holds ");
    }
  }

  // Searched for on the suspicion, and again at later collections while nothing is named (four searches, 20 s apart).
  private static String firstRetainer(ChildJvm child) throws Exception {
    String line = child.awaitStderr("memwatch: leak retained by: ", Duration.ofSeconds(90));
    System.out.println("LeakSuspectsIT: " + line);
    return line.substring(line.indexOf("leak retained by: ") + "leak retained by: ".length());
  }

  // Named on the suspicion's line, or on a later one where nothing was named then: the JVM's sample
  // of live objects starts when the live set is first seen growing, which can be the suspicion itself.
  private static String firstSuspect(ChildJvm child, String suspicion) {
    String named = "suspect sites: ";
    if (suspicion.contains(named)) {
      return suspicion.substring(suspicion.indexOf(named) + named.length());
    }
    String later = child.awaitStderr("^memwatch: leak suspects: ", Duration.ofSeconds(60));
    System.out.println("LeakSuspectsIT: " + later);
    return later.substring("memwatch: leak suspects: ".length());
  }
}
