package io.memwatch.agent.it;

import static io.memwatch.agent.it.ChildJvm.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import example.fixtures.QuietApp;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The four Node.js figures from a real child JVM, against the child's own truth. */
class MemoryFiguresIT {
  private static final Pattern TRUTH = Pattern.compile("(\\w+)=(-?\\d+)");
  private static final int DIRECT_MIB = 64;
  private static final int HEAP_MIB = 48;

  @Test
  void figuresAreWithinTenPercentOfTheProcessOwn() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("port=0").jvmArg("-Xmx256m").jvmArg("-XX:+UseSerialGC")
        .run(QuietApp.class, Integer.toString(DIRECT_MIB), Integer.toString(HEAP_MIB))) {
      child.awaitStdout("^truth ", Duration.ofSeconds(30));

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        String scrape = child.scrape();
        long rss = child.residentSetBytes();
        Map<String, Long> truth = truth(child.awaitStdout("^truth ", Duration.ofSeconds(5)));

        assertThat(sample(scrape, "memwatch_rss_bytes")).hasValueSatisfying(v -> assertThat(v).isCloseTo(rss, withinTenPercentOf(rss)));
        assertThat(sample(scrape, "memwatch_heap_total_bytes")).hasValueSatisfying(
            v -> assertThat(v).isCloseTo(truth.get("heapCommitted"), withinTenPercentOf(truth.get("heapCommitted"))));
        assertThat(sample(scrape, "memwatch_heap_used_bytes")).hasValueSatisfying(
            v -> assertThat(v).isCloseTo(truth.get("heapUsed"), withinTenPercentOf(truth.get("heapUsed"))));
        assertThat(sample(scrape, "memwatch_heap_max_bytes")).hasValue((double) truth.get("heapMax"));
        assertThat(sample(scrape, "memwatch_external_bytes")).hasValueSatisfying(v -> assertThat(v)
            .isCloseTo(truth.get("external"), withinTenPercentOf(truth.get("external")))
            .isGreaterThanOrEqualTo(DIRECT_MIB << 20));
        // The live set comes from the GC events the agent's listener queued: at least the retained heap.
        assertThat(sample(scrape, "memwatch_heap_live_bytes")).hasValueSatisfying(v -> assertThat(v)
            .isGreaterThanOrEqualTo(HEAP_MIB << 20).isLessThan(truth.get("heapCommitted")));
        assertThat(sample(scrape, "memwatch_events_dropped_total")).hasValue(0.0);
      });

      // The host's main returns when stdin closes: memwatch's threads must not keep the JVM alive.
      child.closeStdin();
      assertThat(child.waitFor(Duration.ofSeconds(20))).isZero();
    }
  }

  private static org.assertj.core.data.Offset<Double> withinTenPercentOf(long truth) {
    return org.assertj.core.data.Offset.offset(truth * 0.10);
  }

  private static Map<String, Long> truth(String line) {
    Map<String, Long> values = new java.util.HashMap<>();
    Matcher matcher = TRUTH.matcher(line);
    while (matcher.find()) {
      values.put(matcher.group(1), Long.parseLong(matcher.group(2)));
    }
    return values;
  }
}
