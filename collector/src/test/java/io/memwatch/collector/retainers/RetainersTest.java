package io.memwatch.collector.retainers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainersTest {
  private static final String SEEN = "example.Audit.SEEN (java.util.HashMap)";
  private static final String LISTENERS = "example.Bus.listeners (java.util.ArrayList)";

  @Test
  void aCacheThatLetGoOfItsOlderEntriesDoesNotKeepTheGrowth() {
    // The cache's recent entries were allocated during the growth and are reachable, but its entries
    // from before it are not: they only replace what it evicted. The listeners keep all of theirs.
    io.memwatch.collector.sites.SiteKey cache = new io.memwatch.collector.sites.SiteKey("example.Cache.put(Cache.java:27)", "byte[]");
    io.memwatch.collector.sites.SiteKey leak = new io.memwatch.collector.sites.SiteKey("example.Bus.add(Bus.java:29)", "long[]");
    String table = "example.Cache.RECENT (java.util.LinkedHashMap)";
    List<HeldObject> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(new HeldObject(1_000 + i * 500, cache, true, false, null)); // evicted, not collected yet
      held.add(new HeldObject(1_000 + i * 500, leak, true, true, LISTENERS));
    }
    for (int i = 0; i < 14; i++) {
      held.add(new HeldObject(10_000 + i * 500, cache, true, true, table));
    }
    for (int i = 0; i < 8; i++) {
      held.add(new HeldObject(10_000 + i * 500, leak, true, true, LISTENERS));
    }

    List<Retainers.Retainer> retainers = Retainers.of(held, 10_000, 20_000, 100 << 20);

    assertThat(retainers).extracting(Retainers.Retainer::name).containsExactly(LISTENERS);
    assertThat(retainers.get(0).estimatedBytes()).isEqualTo(100 << 20);
  }

  @Test
  void whatMemwatchItselfKeepsIsNeverARetainerOfTheGrowth() {
    // memwatch's first dump of its recording makes the JDK seed the static random generator of its
    // temporary files; the objects that keeps were allocated during the growth, by memwatch.
    io.memwatch.collector.sites.SiteKey own = new io.memwatch.collector.sites.SiteKey(
        "io.memwatch.agent.jfr.OldObjectRecording.newestSamples(OldObjectRecording.java:130)", "byte[]");
    io.memwatch.collector.sites.SiteKey leak = new io.memwatch.collector.sites.SiteKey("example.Bus.add(Bus.java:29)", "long[]");
    String random = "java.nio.file.TempFileHelper.random (java.security.SecureRandom)";
    List<HeldObject> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(new HeldObject(10_000 + i * 100, own, false, true, random));
    }
    for (int i = 0; i < 3; i++) {
      held.add(new HeldObject(10_000 + i * 100, leak, true, true, LISTENERS));
    }

    assertThat(Retainers.of(held, 10_000, 20_000, 30 << 20)).extracting(Retainers.Retainer::name).containsExactly(LISTENERS);
    assertThat(Retainers.withPath(held, 10_000, 20_000)).isEqualTo(3);
  }

  @Test
  void theGrowthsSamplesAreGroupedByRetainerAndTheirShareOfTheGrowthEstimated() {
    List<HeldObject> held = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      held.add(new HeldObject(1_000 + i, "example.Startup.CONFIG (java.util.HashMap)")); // before the growth
    }
    for (int i = 0; i < 60; i++) {
      held.add(new HeldObject(10_000 + i * 100, SEEN));
    }
    for (int i = 0; i < 20; i++) {
      held.add(new HeldObject(10_000 + i * 100, LISTENERS));
    }
    for (int i = 0; i < 15; i++) {
      held.add(new HeldObject(10_000 + i * 100, null)); // no path within the time limit
    }
    for (int i = 0; i < 4; i++) {
      held.add(new HeldObject(10_000 + i * 100, "java.lang.Thread.threadLocals (java.lang.ThreadLocal$ThreadLocalMap)"));
    }

    List<Retainers.Retainer> retainers = Retainers.of(held, 10_000, 20_000, 100 << 20);

    assertThat(retainers).extracting(Retainers.Retainer::name).containsExactly(SEEN, LISTENERS);
    assertThat(retainers.get(0).samples()).isEqualTo(60);
    // Shares of the 84 with a path: the 15 without are the older ones a dump writes no path for.
    assertThat(retainers.get(0).share()).isEqualTo(60 / 84.0);
    assertThat(retainers.get(0).estimatedBytes()).isEqualTo(Math.round(60 / 84.0 * (100 << 20)));
    assertThat(Retainers.withPath(held, 10_000, 20_000)).isEqualTo(84);
    assertThat(Retainers.describe(retainers, 84)).isEqualTo(
        SEEN + " holds 60 of 84 sampled objects of the growth with a path (about 71 MiB), "
            + LISTENERS + " holds 20 of 84 sampled objects of the growth with a path (about 23 MiB)");
  }

  @Test
  void withNoPathFoundTheLineSaysSo() {
    List<HeldObject> held = List.of(new HeldObject(10_000, null));

    assertThat(Retainers.describe(Retainers.of(held, 0, 20_000, 1 << 20), 0))
        .isEqualTo("no path to a GC root found for the sampled objects of the growth");
  }
}
