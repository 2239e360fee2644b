package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.SessionStoreApp;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the followed objects say where young collections promote what they should judge: a leak
 * beside much request garbage on Parallel, at default options. When the survivor space overflows,
 * HotSpot's young collection does not clear a weak reference it promotes in the same collection and
 * keeps its dead referent; counted as alive, the request garbage's line showed 250 to 336 MiB of
 * live bytes beside a live set of 90 to 150 MiB (Java 25) and came before the leak in the suspects.
 */
class FollowedObjectsIT {
  private static final String LOGIN = "example.fixtures.SessionStoreApp.login(SessionStoreApp.java:"
      + SessionStoreApp.LOGIN_LINE + ")";
  private static final String GARBAGE = "example.fixtures.SessionStoreApp.handleRequest(SessionStoreApp.java:"
      + SessionStoreApp.GARBAGE_LINE + ")";

  @Test
  void requestGarbageIsNotCountedAliveBesideAGrowingLiveSet() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx512m").jvmArg("-XX:+UseParallelGC")
        .run(SessionStoreApp.class)) {
      String line = child.awaitStderr("memwatch: leak suspected: ", Duration.ofSeconds(120));
      System.out.println("FollowedObjectsIT: " + line);
      assertThat(line).contains("suspect sites: " + LOGIN + " ");

      String scrape = child.scrape();
      double liveSet = ChildJvm.sample(scrape, "memwatch_heap_live_bytes").orElseThrow();
      double garbage = siteLiveBytes(scrape, GARBAGE);
      System.out.printf("FollowedObjectsIT: live set %.0f MiB, the garbage's line %.1f MiB, the leak's %.1f MiB%n",
          liveSet / (1 << 20), garbage / (1 << 20), siteLiveBytes(scrape, LOGIN) / (1 << 20));
      // Judged per probe, a few of the garbage's references still escape a collection's judgement
      // (0 to 8 MiB in the runs here, each followed object standing for about 512 KiB).
      assertThat(garbage).as("the request garbage's live bytes against a live set of %.0f bytes", liveSet)
          .isLessThan(liveSet / 4);
    }
  }

  private static double siteLiveBytes(String scrape, String site) {
    Matcher matcher = Pattern.compile("(?m)^memwatch_site_live_bytes\\{site=\"" + Pattern.quote(site)
        + "\",type=\"[^\"]+\"} (\\S+)$").matcher(scrape);
    double sum = 0;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(1));
    }
    return sum;
  }
}
