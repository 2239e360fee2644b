package io.memwatch.collector.leak;

import io.memwatch.collector.dump.HeapDumper;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.retainers.Retainers;
import io.memwatch.collector.sites.LiveSitesPublisher;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the operator hears when the verdict turns: one line with the growth, the projected
 * exhaustion and the top three suspect sites (those that kept what they allocated during the
 * window that raised the suspicion), and, only when enabled, one heap dump per incident.
 * The dump is written on its own daemon thread: it takes seconds, and the collector thread must
 * go on draining meanwhile.
 *
 * <p>A suspicion can come before any collection has judged what its window allocated (on
 * generational ZGC, followed objects are judged only once promoted and marked, cycles later): its
 * line then names no site, and a second line names them as soon as a later collection can
 * ({@link #afterCollection}), while the suspicion holds.
 */
public final class LeakReporter implements Consumer<LeakVerdict> {
  /** The suspects among objects allocated between two moments of JVM uptime, in milliseconds. */
  public interface SuspectSource {
    /** @param grownBytes how much the live set grew meanwhile */
    List<LiveSitesPublisher.Suspect> suspects(long fromMillis, long toMillis, double grownBytes);
  }

  // Asking costs a read of the JVM's sample of live objects (tens of milliseconds): not every collection.
  private static final long ASK_AGAIN_MILLIS = 5_000;

  private final SuspectSource suspects;
  private final HeapDumper dumper;
  private final Supplier<List<HeldObject>> heldWithPaths;
  private final Consumer<List<Retainers.Retainer>> retainersFound;
  private LeakVerdict unnamed;
  private long askedAtMillis;

  /** @param dumper where to dump on a new suspicion, or null to never dump */
  public LeakReporter(SuspectSource suspects, HeapDumper dumper) {
    this(suspects, dumper, null, retainers -> {});
  }

  /**
   * @param heldWithPaths the JVM's sampled live objects with their paths to GC roots, read once on
   *     each new suspicion to name what keeps the growth (never throws: see {@code
   *     OldObjects#heldWithPaths}); null for never
   * @param retainersFound told of the retainers found for a suspicion, and of none (an empty list)
   *     when it is lifted
   */
  public LeakReporter(SuspectSource suspects, HeapDumper dumper, Supplier<List<HeldObject>> heldWithPaths,
      Consumer<List<Retainers.Retainer>> retainersFound) {
    this.suspects = suspects;
    this.dumper = dumper;
    this.heldWithPaths = heldWithPaths;
    this.retainersFound = retainersFound;
  }

  @Override
  public void accept(LeakVerdict verdict) {
    if (!verdict.suspected()) {
      unnamed = null;
      retainersFound.accept(List.of());
      Log.info("leak suspicion lifted: " + verdict.summary());
      return;
    }
    // The paths first: a dump writes each of the JVM's samples once, and those the suspects' read
    // writes without paths would never get one.
    List<HeldObject> held = heldWithPaths == null ? List.of() : heldWithPaths.get();
    List<LiveSitesPublisher.Suspect> named = suspectsOf(verdict);
    unnamed = named.isEmpty() ? verdict : null;
    askedAtMillis = verdict.atMillis();
    Log.warn("leak suspected: " + verdict.summary() + "; " + describe(named));
    if (!held.isEmpty()) {
      nameRetainers(verdict, held);
    }
    if (dumper != null) {
      Thread thread = new Thread(this::dump, "memwatch-heapdump");
      thread.setDaemon(true);
      thread.setUncaughtExceptionHandler(Log.SILENT_END);
      thread.start();
    }
  }

  /**
   * After each collection, on the collector thread: names the suspects of a suspicion whose line
   * could not, once a collection has judged its window.
   *
   * @param now the verdict as it stands
   */
  public void afterCollection(LeakVerdict now) {
    if (unnamed == null || now.atMillis() - askedAtMillis < ASK_AGAIN_MILLIS) {
      return;
    }
    if (!now.suspected()) {
      unnamed = null;
      return;
    }
    askedAtMillis = now.atMillis();
    List<LiveSitesPublisher.Suspect> named = suspectsOf(unnamed);
    if (!named.isEmpty()) {
      unnamed = null;
      Log.warn("leak suspects: " + describe(named).substring("suspect sites: ".length())
          + " (kept from the window that raised the suspicion " + (now.atMillis() - now.sinceMillis()) / 1000 + " s ago)");
    }
  }

  private List<LiveSitesPublisher.Suspect> suspectsOf(LeakVerdict verdict) {
    long windowMillis = verdict.windowSeconds() * 1000;
    return suspects.suspects(verdict.sinceMillis() - windowMillis, verdict.sinceMillis(),
        verdict.growthBytesPerSecond() * verdict.windowSeconds());
  }

  static String describe(List<LiveSitesPublisher.Suspect> suspects) {
    if (suspects.isEmpty()) {
      return "no allocation site stands out yet (see memwatch_site_live_bytes)";
    }
    return "suspect sites: " + suspects.stream().limit(3)
        .map(s -> s.site().site() + " " + s.site().type() + " kept " + size(s.retainedBytes()))
        .collect(Collectors.joining(", "));
  }

  private static String size(long bytes) {
    return bytes >= 10L << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
  }

  // Finding the paths stopped the JVM 29 to 194 ms here (RESULTS.md) while the collector thread
  // waits: the queues hold the events meanwhile.
  private void nameRetainers(LeakVerdict verdict, List<HeldObject> held) {
    long from = verdict.sinceMillis() - verdict.windowSeconds() * 1000;
    List<Retainers.Retainer> retainers = Retainers.of(held, from, verdict.sinceMillis(),
        verdict.growthBytesPerSecond() * verdict.windowSeconds());
    Log.warn("leak retained by: " + Retainers.describe(retainers, Retainers.withPath(held, from, verdict.sinceMillis())));
    retainersFound.accept(retainers);
  }

  private void dump() {
    try {
      Log.info("heap dump of the suspected leak written to " + dumper.dump("leak"));
    } catch (IOException | RuntimeException e) {
      Log.warn("no heap dump for the suspected leak: " + e.getMessage());
    }
  }
}
