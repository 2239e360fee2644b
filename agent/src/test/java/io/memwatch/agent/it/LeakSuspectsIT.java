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
 * the JVM's own sample of live objects (its leak profiler), since no followed object tells.
 */
class LeakSuspectsIT {
  private static final Duration SUSPECTED_WITHIN = Duration.ofSeconds(120);

  @Test
  void aLeakOfStringsTheJdkMadeNamesTheMapPutLineFirst() throws Exception {
    String putLine = "example.fixtures.StringLeakApp$Cache.put(StringLeakApp.java:" + StringLeakApp.PUT_LINE + ")";
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").run(StringLeakApp.class, "leak")) {
      String line = child.awaitStderr("memwatch: leak suspected: ", SUSPECTED_WITHIN);
      System.out.println("LeakSuspectsIT: " + line);
      assertThat(firstSuspect(line)).startsWith(putLine + " ");
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
      assertThat(firstSuspect(line)).startsWith(loadLine + " ");
    }
  }

  private static String firstSuspect(String line) {
    int at = line.indexOf("suspect sites: ");
    assertThat(at).as("suspects named in: %s", line).isPositive();
    return line.substring(at + "suspect sites: ".length());
  }
}
