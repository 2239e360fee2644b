package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.collector.sites.LiveSitesPublisher.Suspect;
import io.memwatch.collector.sites.SiteKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakReporterTest {
  private static final SiteKey LEAK = new SiteKey("example.Leak.remember(Leak.java:12)", "byte[]");
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<long[]> asked = new ArrayList<>();
  private PrintStream originalErr;
  private long judgedBefore = -1; // none yet

  @BeforeEach
  void captureStderr() {
    originalErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(originalErr);
  }

  // Like the followed objects: a site is known only for what collections have judged.
  private List<Suspect> suspects(long fromMillis, long toMillis, double grownBytes) {
    asked.add(new long[] {fromMillis, toMillis});
    return judgedBefore >= 0 && judgedBefore > fromMillis ? List.of(new Suspect(LEAK, 90L << 20, 80L << 20, true)) : List.of();
  }

  private static LeakVerdict suspected(long sinceMillis, long atMillis) {
    return new LeakVerdict(true, 2 << 20, 150, 200L << 20, 512L << 20, sinceMillis, 60, atMillis);
  }

  private static LeakVerdict lifted(long atMillis) {
    return new LeakVerdict(false, 0, Double.NaN, 100L << 20, 512L << 20, -1, 0, atMillis);
  }

  private List<String> lines() {
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void aSuspicionRaisedBeforeItsWindowWasJudgedNamesItsSitesOnceACollectionHasJudgedIt() {
    LeakReporter reporter = new LeakReporter(this::suspects, null);

    reporter.accept(suspected(50_000, 50_000));
    reporter.afterCollection(suspected(50_000, 52_000)); // too soon to ask again
    judgedBefore = 40_000;
    reporter.afterCollection(suspected(50_000, 56_000));
    reporter.afterCollection(suspected(50_000, 70_000)); // named already

    assertThat(lines()).hasSize(2);
    assertThat(lines().get(0)).startsWith("memwatch: leak suspected: ").endsWith("no allocation site stands out yet (see memwatch_site_live_bytes)");
    assertThat(lines().get(1)).isEqualTo("memwatch: leak suspects: example.Leak.remember(Leak.java:12) byte[] kept 80 MiB"
        + " (kept since the window that raised the suspicion began, 66 s ago)");
    // From the start of the window that raised the suspicion: the leak went on since.
    assertThat(asked).extracting(window -> window[0]).containsOnly(-10_000L);
    assertThat(asked).extracting(window -> window[1]).containsExactly(50_000L, 56_000L);
  }

  @Test
  void aWindowLaterItsSuspectsAreAskedAgainAndNamedAgainOnlyIfAnotherComesFirst() {
    // The leak began within the window that raised the suspicion, beside a cache still filling up:
    // the cache kept from every stage of that window, the leak only from its later ones.
    SiteKey cache = new SiteKey("example.Carts.open(Carts.java:27)", "byte[]");
    LeakReporter reporter = new LeakReporter((from, to, grown) -> {
      asked.add(new long[] {from, to});
      Suspect leak = new Suspect(LEAK, 90L << 20, 80L << 20, from >= 40_000);
      Suspect filling = new Suspect(cache, 40L << 20, 30L << 20, from < 40_000);
      return from < 40_000 ? List.of(filling, leak) : List.of(leak, filling);
    }, null);

    reporter.accept(suspected(60_000, 60_000));
    reporter.afterCollection(suspected(60_000, 100_000)); // not a window yet
    reporter.afterCollection(suspected(60_000, 121_000));
    reporter.afterCollection(suspected(60_000, 150_000));
    reporter.afterCollection(suspected(60_000, 185_000)); // the same first suspect: nothing to say

    assertThat(lines()).hasSize(2);
    assertThat(lines().get(0)).contains("suspect sites: example.Carts.open(Carts.java:27) byte[] kept 30 MiB");
    assertThat(lines().get(1)).isEqualTo("memwatch: leak suspects now: example.Leak.remember(Leak.java:12) byte[] kept 80 MiB,"
        + " example.Carts.open(Carts.java:27) byte[] kept 30 MiB (kept over the last 60 s)");
    assertThat(asked).extracting(window -> window[0]).containsExactly(0L, 61_000L, 125_000L);
  }

  @Test
  void aWindowLaterWhatKeepsTheGrowthIsSearchedAgainAndNamedAgainIfAnotherComesFirst() {
    // At the suspicion the carts were still filling, so their map held most of the window's objects;
    // a window later, the audit list holds what was allocated since.
    String carts = "example.Shop.CARTS (java.util.concurrent.ConcurrentHashMap)";
    String audit = "example.Shop.AUDIT (java.util.ArrayList)";
    List<io.memwatch.collector.retainers.HeldObject> held = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      held.add(new io.memwatch.collector.retainers.HeldObject(i * 2_000, i < 20 ? carts : audit));
      held.add(new io.memwatch.collector.retainers.HeldObject(70_000 + i * 2_000, i < 5 ? carts : audit));
    }
    List<List<io.memwatch.collector.retainers.Retainers.Retainer>> published = new ArrayList<>();
    judgedBefore = 200_000;
    LeakReporter reporter = new LeakReporter(this::suspects, null, () -> List.copyOf(held), published::add);

    reporter.accept(suspected(60_000, 60_000));
    reporter.afterCollection(suspected(60_000, 125_000));
    reporter.afterCollection(suspected(60_000, 190_000)); // the same first retainer: nothing to say

    assertThat(lines()).filteredOn(line -> line.contains("retained")).hasSize(2);
    assertThat(lines().get(1)).startsWith("memwatch: leak retained by: " + carts + " holds 20 of 30 ");
    assertThat(lines().get(2)).startsWith("memwatch: leak retained now by: " + audit + " holds 23 of 28 ")
        .endsWith(" (over the last 60 s)");
    assertThat(published).hasSize(2);
    assertThat(published.get(1).get(0).name()).isEqualTo(audit);
  }

  @Test
  void aSuspicionNamedAtOnceIsNotNamedAgain() {
    judgedBefore = 45_000;
    LeakReporter reporter = new LeakReporter(this::suspects, null);

    reporter.accept(suspected(50_000, 50_000));
    reporter.afterCollection(suspected(50_000, 60_000));

    assertThat(lines()).singleElement().asString().contains("suspect sites: example.Leak.remember(Leak.java:12) byte[] kept 80 MiB");
    assertThat(asked).hasSize(1);
  }

  @Test
  void aLiftedSuspicionIsNotNamedLater() {
    LeakReporter reporter = new LeakReporter(this::suspects, null);

    reporter.accept(suspected(50_000, 50_000));
    reporter.accept(lifted(55_000));
    judgedBefore = 45_000;
    reporter.afterCollection(lifted(60_000));
    reporter.afterCollection(suspected(70_000, 70_000)); // a new suspicion speaks for itself

    assertThat(lines()).hasSize(2);
    assertThat(lines().get(1)).startsWith("memwatch: leak suspicion lifted: ");
  }

  @Test
  void aNewSuspicionNamesWhatKeepsItsGrowthReadBeforeTheSuspectsAreAskedFor() throws Exception {
    List<String> readOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.function.Supplier<List<io.memwatch.collector.retainers.HeldObject>> held = () -> {
      readOn.add("paths, after " + asked.size() + " reads of the suspects");
      return List.of(new io.memwatch.collector.retainers.HeldObject(40_000, "example.Audit.SEEN (java.util.HashMap)"),
          new io.memwatch.collector.retainers.HeldObject(50_000, "example.Audit.SEEN (java.util.HashMap)"),
          new io.memwatch.collector.retainers.HeldObject(5_000, "example.Startup.CONFIG (java.util.HashMap)"));
    };
    judgedBefore = 45_000;
    List<List<io.memwatch.collector.retainers.Retainers.Retainer>> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    LeakReporter reporter = new LeakReporter(this::suspects, null, held, published::add);

    reporter.accept(suspected(90_000, 90_000));

    assertThat(lines().get(1)).isEqualTo("memwatch: leak retained by: example.Audit.SEEN (java.util.HashMap) holds 2 of 2"
        + " sampled objects of the growth with a path (about 120 MiB)");
    assertThat(readOn).containsExactly("paths, after 0 reads of the suspects");
    assertThat(published).hasSize(1);
    assertThat(published.get(0)).extracting(io.memwatch.collector.retainers.Retainers.Retainer::name)
        .containsExactly("example.Audit.SEEN (java.util.HashMap)");

    reporter.accept(lifted(95_000));
    assertThat(published).hasSize(2);
    assertThat(published.get(1)).isEmpty();
  }

  @Test
  void aSuspicionWhoseFirstSearchNamesNoRetainerSearchesAgainAndReadsWithoutPathsOnlyRightAfterASearch() {
    List<String> reads = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<io.memwatch.collector.retainers.HeldObject> sampled = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.function.Supplier<List<io.memwatch.collector.retainers.HeldObject>> held = () -> {
      reads.add("paths");
      return List.copyOf(sampled);
    };
    LeakReporter.SuspectSource source = (from, to, grown) -> {
      reads.add("suspects");
      return suspects(from, to, grown);
    };
    List<List<io.memwatch.collector.retainers.Retainers.Retainer>> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    LeakReporter reporter = new LeakReporter(source, null, held, published::add);

    // The JVM's sample started with the suspicion: nothing of the growth in it yet.
    reporter.accept(suspected(50_000, 50_000));
    judgedBefore = 45_000;
    reporter.afterCollection(suspected(50_000, 60_000)); // the suspects could be named, but a search comes first
    sampled.add(new io.memwatch.collector.retainers.HeldObject(62_000, "example.Audit.SEEN (java.util.HashMap)"));
    sampled.add(new io.memwatch.collector.retainers.HeldObject(65_000, "example.Audit.SEEN (java.util.HashMap)"));
    reporter.afterCollection(suspected(50_000, 71_000));
    reporter.afterCollection(suspected(50_000, 95_000));

    assertThat(reads).containsExactly("paths", "suspects", "paths", "suspects");
    assertThat(lines()).hasSize(3);
    assertThat(lines().get(0)).startsWith("memwatch: leak suspected: ").endsWith("no allocation site stands out yet (see memwatch_site_live_bytes)");
    assertThat(lines().get(1)).startsWith("memwatch: leak retained by: example.Audit.SEEN (java.util.HashMap) holds 2 of 2 ");
    assertThat(lines().get(2)).startsWith("memwatch: leak suspects: example.Leak.remember(Leak.java:12) byte[] kept 80 MiB");
    assertThat(published).singleElement().satisfies(found -> assertThat(found).hasSize(1));
  }

  @Test
  void searchesThatNeverFindAPathStopAfterTheLastAndSaySo() {
    int[] searches = {0};
    java.util.function.Supplier<List<io.memwatch.collector.retainers.HeldObject>> held = () -> {
      searches[0]++;
      return List.of(new io.memwatch.collector.retainers.HeldObject(45_000, null));
    };
    judgedBefore = 45_000;
    LeakReporter reporter = new LeakReporter(this::suspects, null, held, retainers -> {});

    reporter.accept(suspected(50_000, 50_000));
    for (long at = 55_000; at <= 200_000; at += 5_000) {
      reporter.afterCollection(suspected(50_000, at));
    }

    assertThat(searches[0]).isEqualTo(LeakReporter.SEARCHES);
    assertThat(lines()).filteredOn(line -> line.startsWith("memwatch: leak retained by: "))
        .containsExactly("memwatch: leak retained by: no path to a GC root found for the sampled objects of the growth");
  }
}
