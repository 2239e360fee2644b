package io.memwatch.collector.leak;

import io.memwatch.collector.dump.HeapDumper;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.retainers.Retainers;
import io.memwatch.collector.sites.LiveSitesPublisher;
import io.memwatch.collector.sites.SiteKey;
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
 * <p>Where the first lines can name no site or no retainer, later ones do ({@link #afterCollection}).
 */
public final class LeakReporter implements Consumer<LeakVerdict> {
  /** The suspects among objects allocated between two moments of JVM uptime, in milliseconds. */
  public interface SuspectSource {
    /** @param grownBytes how much the live set grew meanwhile */
    List<LiveSitesPublisher.Suspect> suspects(long fromMillis, long toMillis, double grownBytes);
  }

  // Asking costs a read of the JVM's sample of live objects (tens of milliseconds): not every collection.
  private static final long ASK_AGAIN_MILLIS = 5_000;
  // Each search for paths stops the JVM (up to a second on a busy machine): a few, well apart.
  static final long SEARCH_AGAIN_MILLIS = 20_000;
  static final int SEARCHES = 4;

  private final SuspectSource suspects;
  private final HeapDumper dumper;
  private final Supplier<List<HeldObject>> heldWithPaths;
  private final Consumer<List<Retainers.Retainer>> retainersFound;
  private LeakVerdict unnamed; // the suspicion whose sites are not named yet
  private long askedAtMillis;
  private LeakVerdict unretained; // the suspicion whose retainers are not named yet
  private long searchedAtMillis;
  private int searches;
  private SiteKey namedFirst; // the first suspect the lines named so far
  private String retainedFirst; // the first retainer they named so far
  private long reviewedAtMillis;

  /** @param dumper where to dump on a new suspicion, or null to never dump */
  public LeakReporter(SuspectSource suspects, HeapDumper dumper) {
    this(suspects, dumper, null, retainers -> {});
  }

  /**
   * @param heldWithPaths the JVM's sampled live objects with their paths to GC roots, read on each
   *     new suspicion to name what keeps the growth, and again a few times while nothing is named
   *     (never throws: see {@code OldObjects#heldWithPaths}); null for never
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
      unretained = null;
      retainersFound.accept(List.of());
      Log.info("leak suspicion lifted: " + verdict.summary());
      return;
    }
    // The paths first: the suspects are told from the walk which of their objects are still reachable.
    searches = 0;
    unretained = heldWithPaths == null ? null : verdict;
    List<HeldObject> held = unretained == null ? List.of() : heldWithPaths.get();
    List<LiveSitesPublisher.Suspect> named = suspectsOf(verdict, verdict);
    unnamed = named.isEmpty() ? verdict : null;
    namedFirst = named.isEmpty() ? null : named.get(0).site();
    askedAtMillis = verdict.atMillis();
    reviewedAtMillis = verdict.atMillis();
    Log.warn("leak suspected: " + verdict.summary() + "; " + describe(named));
    if (unretained != null) {
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
   * After each collection, on the collector thread: names the suspects and the retainers of a
   * suspicion whose first lines could not. A suspicion can come before any collection has judged
   * what its window allocated (on generational ZGC, followed objects are judged only once promoted
   * and marked, cycles later), or before the JVM's sample holds anything of it (it starts sampling
   * when the live set is first seen growing): the leak goes on meanwhile, so what was allocated since
   * the window began counts too.
   *
   * @param now the verdict as it stands
   */
  public void afterCollection(LeakVerdict now) {
    if (!now.suspected()) {
      unnamed = null;
      unretained = null;
      return;
    }
    boolean searched = false;
    if (unretained != null) {
      // The suspects are asked again right after a search, which says what of theirs is reachable.
      if (now.atMillis() - searchedAtMillis < SEARCH_AGAIN_MILLIS) {
        return;
      }
      nameRetainers(now, heldWithPaths.get());
      searched = true;
    }
    if (unnamed == null) {
      review(now);
      return;
    }
    if (!searched && now.atMillis() - askedAtMillis < ASK_AGAIN_MILLIS) {
      return;
    }
    askedAtMillis = now.atMillis();
    List<LiveSitesPublisher.Suspect> named = suspectsOf(unnamed, now);
    if (!named.isEmpty()) {
      namedFirst = named.get(0).site();
      reviewedAtMillis = now.atMillis();
      Log.warn("leak suspects: " + describe(named).substring("suspect sites: ".length())
          + " (kept since the window that raised the suspicion began, " + (now.atMillis() - windowStart(unnamed)) / 1000 + " s ago)");
      unnamed = null;
    }
  }

  // The window that raised a suspicion can hold more than the leak: a warm-up still filling a cache,
  // or the leak only in its later part (a leak that began within it has kept nothing from its first
  // stages, and a cache filling up has). Once a whole window has passed, its retainers and sites are
  // asked again over the last window (a search for paths: one a window at most), and named again if
  // another comes first; then once a window.
  private void review(LeakVerdict now) {
    long windowMillis = now.windowSeconds() * 1000L;
    if (windowMillis <= 0 || now.atMillis() - reviewedAtMillis < windowMillis) {
      return;
    }
    reviewedAtMillis = now.atMillis();
    long from = now.atMillis() - windowMillis;
    double grown = grownSince(from, now.atMillis(), now);
    String over = "over the last " + now.windowSeconds() + " s)";
    // The search first: the suspects are told from it which of their objects are still reachable.
    // Where searches found no retainer, another would not either: paths need what they could not.
    if (heldWithPaths != null && retainedFirst != null) {
      List<HeldObject> held = heldWithPaths.get();
      List<Retainers.Retainer> retainers = Retainers.of(held, from, now.atMillis(), grown);
      if (!retainers.isEmpty() && !retainers.get(0).name().equals(retainedFirst)) {
        retainedFirst = retainers.get(0).name();
        Log.warn("leak retained now by: " + Retainers.describe(retainers, Retainers.withPath(held, from, now.atMillis())) + " (" + over);
        retainersFound.accept(retainers);
      }
    }
    List<LiveSitesPublisher.Suspect> named = suspects.suspects(from, now.atMillis(), grown);
    if (!named.isEmpty() && !named.get(0).site().equals(namedFirst)) {
      namedFirst = named.get(0).site();
      Log.warn("leak suspects now: " + describe(named).substring("suspect sites: ".length()) + " (kept " + over);
    }
  }

  // From the start of the window that raised the suspicion to now; the growth at today's rate.
  private List<LiveSitesPublisher.Suspect> suspectsOf(LeakVerdict raised, LeakVerdict now) {
    long from = windowStart(raised);
    long to = until(raised, now);
    return suspects.suspects(from, to, grownSince(from, to, now));
  }

  private static long windowStart(LeakVerdict raised) {
    return raised.sinceMillis() - raised.windowSeconds() * 1000L;
  }

  private static long until(LeakVerdict raised, LeakVerdict now) {
    return Math.max(raised.sinceMillis(), now.atMillis());
  }

  private static double grownSince(long fromMillis, long toMillis, LeakVerdict now) {
    return now.growthBytesPerSecond() * (toMillis - fromMillis) / 1000.0;
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
  // waits: the queues hold the events meanwhile. A search that names nothing (the JVM's sample
  // started with the suspicion, or the search reached only objects on their way into the leak) is
  // made again at later collections, a few times; the line is written once something is named, or
  // after the last search if the JVM sampled anything.
  private void nameRetainers(LeakVerdict now, List<HeldObject> held) {
    LeakVerdict raised = unretained;
    searches++;
    searchedAtMillis = now.atMillis();
    long from = windowStart(raised);
    long to = until(raised, now);
    List<Retainers.Retainer> retainers = Retainers.of(held, from, to, grownSince(from, to, now));
    String found = Retainers.describe(retainers, Retainers.withPath(held, from, to));
    if (retainers.isEmpty() && searches < SEARCHES) {
      Log.debug("leak retainers: " + found + " (" + held.size() + " sampled); searching again in " + SEARCH_AGAIN_MILLIS / 1000 + " s");
      return;
    }
    unretained = null;
    if (!held.isEmpty()) {
      Log.warn("leak retained by: " + found);
    }
    retainedFirst = retainers.isEmpty() ? null : retainers.get(0).name();
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
