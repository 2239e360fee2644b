package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.sites.FollowedObjects;
import io.memwatch.collector.sites.LiveGraphWalk;
import io.memwatch.collector.sites.LiveGraphWalks;
import io.memwatch.collector.sites.Retention;
import io.memwatch.collector.sites.SiteKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Watches the live set's floor for growth and keeps a {@link LeakVerdict}.
 *
 * <p>Each collection's reading ({@link GcReadings}; a floor when it follows a marking of the old
 * generation, reported or seen through {@link FollowedObjects#oldGenerationMarkings}) goes into
 * per-bucket minima ({@link LiveSetHistory}), young collections' readings less the garbage the heap
 * has shown it piles up between old collections ({@link SawTooth}). After each one, every window of
 * the {@link TrendWindow#ladder} is fitted ({@link TrendFit}) and held against a {@link GrowthBar}.
 * The followed objects add what the readings cannot show: in the short window, when readings are too
 * few, the sites that kept objects from every stage of it; in windows of a quarter hour and more, the
 * reachable bytes of the largest sites counted after each collection of the old generation ({@link
 * SiteHistory}), where a slow leak shows long before the heap's noisier floors do. A suspicion starts
 * when a window has cleared the onset bar (for a twelfth of its length where its readings are dense),
 * and ends when either
 *
 * <ul>
 *   <li>a reading falls back below the middle of the growth that raised it (and at least a
 *       saw-tooth drop below where it stood): the growth was garbage after all; or
 *   <li>a reading a whole driving window later stands no higher than where it was raised; or
 *   <li>for a suspicion raised by young collections' readings, a walk of the live graph ({@link
 *       LiveGraphWalk}) finds that the sites holding the window's growth let go of what they kept
 *       before it (a cache turning over), or that too little of what the window's first half
 *       allocated can still be alive (a batch the JDK made, promoted whole and let go); or
 *   <li>no window has cleared even the lower hold bar for {@link LeakSettings#clearAfter()}.
 * </ul>
 *
 * <p>Once lifted, a suspicion comes back, for one long window, only if the live set climbs past
 * where it stood when it was lifted by a window's bar: a warm-up that has levelled off is not
 * suspected again by a longer window that still holds its climb.
 *
 * <p>Time is the collections' own (JVM uptime), so a replayed series gives the same verdicts. Fed
 * on the collector thread only; {@link #verdict()} may be read from any thread. Listeners are
 * called on the collector thread when the verdict turns on or off.
 */
public final class LeakDetector implements Consumer<GcEvent> {
  // Windows are reduced to this many minima (one more where groups straddle the window's start):
  // at most 300 pairs per fit, eight fits per collection.
  private static final int MAX_POINTS = 24;

  // Growth that noise fakes rarely survives a twelfth of the window sliding by; a leak does. With
  // the default windows this costs 5 s on the short window and 2.5 min on the long one; in
  // simulation it took a flat heap with ±5% noise and a collection every second from a false
  // suspicion every few days to none.
  private static final int PERSISTENCE_DIVISOR = 12;

  // A climb of the readings counts only if it is more than twice the floors' largest recent fall:
  // falls are sampled, so the saw-tooth they belong to was taller than the one seen (generational
  // ZGC's rose 63 MiB after a fall of 40).
  private static final double FLOOR_SWING_FACTOR = 2;
  // A collector that falls behind garbage promoted this many times faster than the young
  // collections' readings climb can raise them as far (G1 behind a 20 MiB/s cache on a busy
  // machine: remarks freeing 100 MiB and more while the readings climbed 3.3 MiB/s); the followed
  // objects cannot refute it, since G1 clears them no sooner than it marks them.
  private static final double CHURN_TO_CLIMB = 3;

  private final LeakSettings settings;
  private final LongSupplier suppliedHeapMax;
  private final List<TrendWindow> windows;
  private final LiveSetHistory history;
  private final GcReadings readings = new GcReadings();
  private final SawTooth sawTooth = new SawTooth();
  private final LiveEstimate live;
  private final TrendFit fit = new TrendFit(MAX_POINTS + 1);
  private final double[] seconds = new double[MAX_POINTS + 1];
  private final double[] bytes = new double[MAX_POINTS + 1];
  private final Trend[] trends;
  private final double[] riseBytes;
  private final double[] onsetBars;
  private final boolean[] refusedLast;
  private final long[] onsetSinceMillis;
  private final GrowthBar.Evidence[] onsetEvidence;
  private final boolean[] holding;
  private final FollowedObjects followed;
  private final LiveGraphWalks walks;
  private final SiteHistory siteHistory;
  private final Trend[] siteTrends;
  private final boolean[] siteDriven;
  private final List<Consumer<LeakVerdict>> listeners = new CopyOnWriteArrayList<>();
  private volatile LeakVerdict verdict = LeakVerdict.NONE;

  private long nowMillis = Long.MIN_VALUE;
  private long lastJudgedBucket = Long.MIN_VALUE;
  private long poolsHeapMax = -1;
  private long unusableBytes;
  private long markingsSeen;
  private boolean suspected;
  private long sinceMillis = -1;
  private int driving = -1;
  private double clearBelowBytes;
  private double onsetLevelBytes;
  private double onsetGrowth;
  private long quietSinceMillis = -1;
  private double growth;
  private double level = Double.NaN;
  private double liftedAtBytes = Double.NaN;
  private long liftedUntilMillis = Long.MIN_VALUE;

  /**
   * @param heapMax the heap's max in bytes (for instance the memory MXBean's), or a value {@code <=
   *     0} to take it from the pools each collection reports
   * @param followed what the followed objects say of each allocation site, asked right after each
   *     collection of the old generation
   */
  public LeakDetector(LeakSettings settings, LongSupplier heapMax, FollowedObjects followed) {
    this(settings, heapMax, followed, LiveGraphWalks.NONE);
  }

  /**
   * @param walks walks of the live graph by the JVM's leak profiler, asked only while young
   *     collections' readings show growth (see {@code OldObjects#recent}: each stops the JVM)
   */
  public LeakDetector(LeakSettings settings, LongSupplier heapMax, FollowedObjects followed, LiveGraphWalks walks) {
    this.walks = walks;
    this.settings = settings;
    this.suppliedHeapMax = heapMax;
    this.followed = followed;
    this.windows = TrendWindow.ladder(settings);
    this.history =
        new LiveSetHistory(settings.bucketMillis(), windows.get(windows.size() - 1).millis());
    this.live = new LiveEstimate(settings.longWindow());
    this.trends = new Trend[windows.size()];
    this.riseBytes = new double[windows.size()];
    this.onsetBars = new double[windows.size()];
    this.refusedLast = new boolean[windows.size()];
    this.onsetSinceMillis = new long[windows.size()];
    this.onsetEvidence = new GrowthBar.Evidence[windows.size()];
    this.holding = new boolean[windows.size()];
    this.siteHistory = new SiteHistory(settings.longWindow().toMillis() / 24, windows.get(windows.size() - 1).millis());
    this.siteTrends = new Trend[windows.size()];
    this.siteDriven = new boolean[windows.size()];
    Arrays.fill(siteTrends, Trend.NONE);
    Arrays.fill(trends, Trend.NONE);
    Arrays.fill(onsetEvidence, GrowthBar.Evidence.NONE);
    Arrays.fill(onsetSinceMillis, -1);
  }

  /** Judges the heap's readings alone. */
  public LeakDetector(LeakSettings settings, LongSupplier heapMax) {
    this(settings, heapMax, FollowedObjects.NONE);
  }

  /** Judges the heap's readings alone and takes its max from the pools each collection reports. */
  public LeakDetector(LeakSettings settings) {
    this(settings, () -> -1);
  }

  /** Calls {@code listener} on the collector thread each time the verdict turns on or off. */
  public void onChange(Consumer<LeakVerdict> listener) {
    listeners.add(listener);
  }

  /**
   * Whether the live set is seen growing: a leak suspected, a window at the bar that would hold a
   * suspicion, or the short window's readings so far, two or more over a sixth of it once the JVM
   * has run a quarter of it, rising at half its onset bar (readings 30 s apart, as G1 on Java 25
   * gives a 512 MiB heap, hold nothing for a minute). A program's start-up often grows as steeply,
   * and a program of a few seconds never for that long: it does not pay for the JVM's leak profiler.
   * A leak must not wait long for it either: a climb no followed object holds waits until the
   * profiler has sampled the window's first half, and where young collections come 15 s apart
   * (Parallel, Serial) two readings over a quarter of the window came 15 s later.
   */
  public boolean growthSeen() {
    Trend shortTrend = trends[0];
    TrendWindow shortWindow = windows.get(0);
    if (suspected || shortTrend.points() >= 2
        && shortTrend.spanSeconds() >= shortWindow.seconds() / 6 && nowMillis >= shortWindow.millis() / 4
        && shortTrend.slope() * shortWindow.seconds() >= riseBytes[0] / 2) {
      return true;
    }
    for (boolean growing : holding) {
      if (growing) {
        return true;
      }
    }
    return false;
  }

  /** The latest verdict; safe from any thread. */
  public LeakVerdict verdict() {
    return verdict;
  }

  @Override
  public void accept(GcEvent event) {
    readings.sample(event).map(this::afterMarking).ifPresent(this::record);
  }

  // A collection that follows a marking of the old generation reads the live set, whatever it was.
  private LiveSample afterMarking(LiveSample sample) {
    long markings = followed.oldGenerationMarkings();
    boolean marked = markings > markingsSeen;
    markingsSeen = markings;
    return marked && !sample.isFloor() ? sample.asFloor() : sample;
  }

  /** Takes one reading of the live set. */
  public void record(LiveSample sample) {
    nowMillis = Math.max(nowMillis, sample.atMillis());
    if (sample.heapMaxBytes() > 0) {
      poolsHeapMax = sample.heapMaxBytes();
    }
    unusableBytes = sample.unusableBytes();
    long heapMax = heapMax();
    double dropBytes = heapMax > 0 ? settings.dropFraction() * heapMax : settings.minRiseBytes();

    live.accept(sample);
    double reclaimedRate =
        sawTooth.accept(sample.atMillis(), sample.bytes(), sample.isFloor());
    if (reclaimedRate > 0) {
      history.addGarbageRate(sample.atMillis(), reclaimedRate);
    }
    long estimate = sample.bytes();
    if (!sample.isFloor()) {
      // The highest rate learnt lately: taking off too much only flattens a reading down to the
      // floor its climb started from, taking off too little leaves a climb a leak could hide in.
      double garbageRate = history.highestGarbageRate(nowMillis, settings.longWindow().toMillis());
      estimate = (long) sawTooth.withoutGarbage(sample.atMillis(), sample.bytes(), garbageRate);
    }
    history.add(sample, estimate);
    if (sample.isFloor()) {
      siteHistory.record(sample.atMillis(), followed.liveBytesBySite());
    }

    judgeWindows(heapMax, sample.isFloor());
    judgeKept();
    boolean wasSuspected = suspected;
    if (suspected) {
      keepOrLift(sample, dropBytes);
    } else {
      startIfGrowing(sample, dropBytes);
    }
    publish(heapMax);
    if (suspected != wasSuspected) {
      announce(verdict);
    }
  }

  private long heapMax() {
    long supplied = suppliedHeapMax.getAsLong();
    return supplied > 0 ? supplied : poolsHeapMax;
  }

  private void judgeWindows(long heapMax, boolean floorArrived) {
    // A window of floors only changes when a floor arrives or it slides into a new bucket; most
    // collections are young ones, so most of the time only the short window is fitted again.
    long bucket = Math.floorDiv(nowMillis, settings.bucketMillis());
    boolean floorsChanged = floorArrived || bucket != lastJudgedBucket;
    lastJudgedBucket = bucket;
    for (int i = 0; i < windows.size(); i++) {
      TrendWindow window = windows.get(i);
      if (window.floorsOnly() && !floorsChanged) {
        continue;
      }
      int points = history.series(nowMillis, window.millis(), window.floorsOnly(), seconds, bytes);
      trends[i] = fit.fit(seconds, bytes, points, -window.seconds() / 2);
      riseBytes[i] =
          Math.max(settings.minRiseBytes(), heapMax > 0 ? window.riseFraction() * heapMax : 0);
      onsetBars[i] = Math.max(riseBytes[i], FLOOR_SWING_FACTOR * floorSwing(window));
      GrowthBar onset = GrowthBar.onset(onsetBars[i]);
      GrowthBar hold = GrowthBar.hold(riseBytes[i]);
      if (!window.floorsOnly()) {
        onset = onset.forYoungReadings();
        hold = hold.forYoungReadings();
      }
      onsetEvidence[i] = onset.judge(trends[i], window.seconds());
      String refusal = onsetEvidence[i].isGrowth() ? refusal(window, trends[i]) : null;
      boolean refused = refusal != null;
      if (refused) {
        if (!refusedLast[i]) {
          Log.debug(String.format(java.util.Locale.ROOT, "leak onset refused: the %.0f s window's readings rise %.2f MiB/s, but %s",
              window.seconds(), trends[i].slope() / (1 << 20), refusal));
        }
        onsetEvidence[i] = GrowthBar.Evidence.NONE;
      }
      refusedLast[i] = refused;
      if (!onsetEvidence[i].isGrowth()) {
        onsetSinceMillis[i] = -1;
      } else if (onsetSinceMillis[i] < 0) {
        onsetSinceMillis[i] = nowMillis;
      }
      holding[i] = hold.judge(trends[i], window.seconds()).isGrowth();
      siteDriven[i] = false;
      if (window.floorsOnly() && window.millis() >= siteHistory.shortestWindowMillis()) {
        judgeSites(i);
      }
    }
  }

  // Why the followed objects say a window's climb is no leak, or null if they do not.
  private String refusal(TrendWindow window, Trend trend) {
    if (!couldBeAlive(window, trend)) {
      return "too little of what its first half allocated can still be alive";
    }
    if (window.floorsOnly()) {
      return null; // old collections judge floors
    }
    if (awaitsAWalk(window, trend)) {
      return "no followed object holds it, and the JVM's leak profiler has not sampled the window's first half yet";
    }
    if (keptInBursts(window, trend)) {
      return "sites that kept objects only in bursts (a batch promoted whole) hold what it rose by";
    }
    if (turnover(window)) {
      return "the sites holding most of what it kept let go of what they kept before it (the JVM's leak profiler found it"
          + " unreachable): a cache turning over";
    }
    double garbageRate = history.highestGarbageRate(nowMillis, window.millis());
    if (garbageRate >= CHURN_TO_CLIMB * trend.slope()) {
      return String.format(java.util.Locale.ROOT, "the old generation's collections reclaim %.1f MiB/s of garbage", garbageRate / (1 << 20));
    }
    return null;
  }

  // Until the old generation is collected again, what was promoted and died there since still
  // looks alive, to young collections' readings and the followed objects alike: a batch promoted
  // whole climbs like a leak (Serial on Java 25 did so before its first full collection, and again
  // between its full collections). Its sites kept objects from some stages of the window only, where
  // a leak's keep them from every stage. If the followed objects hold at least half of what the
  // readings rose by, and less than a quarter of that steadily, bursts explain the climb. Windows of
  // floors are left alone: old collections judge them. A batch that truly keeps what it builds shows
  // there.
  private boolean keptInBursts(TrendWindow window, Trend trend) {
    long kept = 0;
    long steady = 0;
    for (long[] stages : followed.keptByStage(window.millis()).values()) {
      long site = Arrays.stream(stages).sum();
      kept += site;
      steady += Retention.isSteady(stages) ? site : 0;
    }
    double rose = trend.slope() * window.seconds();
    return kept > 0 && kept >= rose / 2 && steady < kept / 4.0;
  }

  // A live set that grew along a line keeps, of what was allocated in the window's first half, as
  // much as it grew meanwhile. If not even a quarter of that can still be alive (the followed
  // objects of then are dead, and the JVM's sampler saw too little allocated where no hook follows,
  // or a walk of the live graph reached too little of that), the readings climbed with garbage the
  // collector has not reclaimed yet: G1 falling behind a churning cache on a busy machine, its
  // remarks freeing less each time; a batch the JDK made, promoted whole and let go. Judged from
  // when the sampler counts (its start), over at least a sixth of the window (10 s of the default
  // minute).
  private boolean couldBeAlive(TrendWindow window, Trend trend) {
    long from = knownFrom(window);
    long to = nowMillis - window.millis() / 2;
    if (to - from < window.millis() / 6) {
      return true;
    }
    double keptByALeak = trend.slope() * (to - from) / 1000.0;
    return followed.aliveAtMostBytes(from, to, unhookedAliveAtMost(window, trend, from, to)) >= keptByALeak / 4;
  }

  // Where a window's first half starts, for what can still be alive of it: at the window's start, or
  // when the JVM's sampler started counting, if later.
  private long knownFrom(TrendWindow window) {
    return Math.max(nowMillis - window.millis(), followed.aliveKnownSinceMillis());
  }

  // A climb the followed objects cannot hold rests on what the JDK or a library made, and before
  // the old generation is collected only a walk tells a leak's objects (reached) from a batch's,
  // promoted whole and let go: a report the JDK rendered every 25 s was suspected for 20-40 s until
  // one could. The profiler starts when growth is first seen, and its walks know nothing of what was
  // allocated before; so such a climb waits until a walk has sampled enough of the window's first
  // half to judge it, or the profiler has run through all of that half.
  private boolean awaitsAWalk(TrendWindow window, Trend trend) {
    long sampledSince = walks.sampledSinceMillis();
    long from = knownFrom(window);
    long to = nowMillis - window.millis() / 2;
    if (sampledSince < 0 || sampledSince <= from || to - from < window.millis() / 6) {
      return false;
    }
    LiveGraphWalk walk = walks.recent();
    if (walk.freshAt(nowMillis) && walk.judgesUnhooked(from, to)) {
      return false;
    }
    double keptByALeak = trend.slope() * (to - from) / 1000.0;
    return followed.aliveAtMostBytes(from, to, 0) < keptByALeak / 4;
  }

  // Until the old generation is collected, what the JDK or a library made and young collections
  // promoted looks alive to the readings and is followed by no hook. Of what the window's first half
  // allocated, what is still in the heap, dead or alive, is about what the readings rose by over
  // the window; where a walk of the live graph reached none of it, only a share for what its sample
  // missed counts (LiveGraphWalk#unhookedReachableAtMost). Windows of floors are left alone: old
  // collections judge them, and walks stop the JVM.
  private double unhookedAliveAtMost(TrendWindow window, Trend trend, long from, long to) {
    if (window.floorsOnly()) {
      return Double.POSITIVE_INFINITY;
    }
    LiveGraphWalk walk = walks.recent();
    double share = walk.freshAt(nowMillis) ? walk.unhookedReachableAtMost(from, to) : 1;
    return share < 1 ? share * trend.slope() * window.seconds() : Double.POSITIVE_INFINITY;
  }

  // Until the old generation is collected, the entries a cache evicted stay there looking alive, to
  // the readings and the followed objects alike: a cache whose entries outlive the window keeps
  // objects from every stage of it too, and its readings climb as fast as it turns over (2 MiB/s in
  // a 1 GiB heap on Java 25's Parallel and Serial for four minutes). The JVM's leak profiler can walk
  // the live graph without a collection: if most of what the window kept belongs to sites of which
  // it reaches at most half of what they kept before the window, they let go of it, as a cache does
  // and a leak never does.
  private boolean turnover(TrendWindow window) {
    LiveGraphWalk walk = walks.recent();
    return walk.freshAt(nowMillis) && walk.turnoverExplains(nowMillis - window.millis(), Long.MAX_VALUE);
  }

  // The largest fall from a floor to any later one over the window and the one before it. Floors
  // that fall that far carry that much garbage some of the time (ZGC's pages it did not relocate,
  // G1's regions its remark could not free), and its coming back raises them as far: a climb of the
  // readings no larger proves nothing. A leak's floors do not fall. Falls from one floor to the next
  // alone understate noise that drifts: in a simulated day of ZGC's floors every 25 s, +-10% around a
  // flat live set, five in a row climbed 29 MiB where no single fall of the four minutes before
  // reached 18 MiB.
  private double floorSwing(TrendWindow window) {
    int points = history.series(nowMillis, 2 * window.millis(), true, seconds, bytes);
    double swing = 0;
    double highest = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < points; k++) {
      highest = Math.max(highest, bytes[k]);
      swing = Math.max(swing, highest - bytes[k]);
    }
    return swing;
  }

  // The short window's readings may be too few to judge: a young collection every 30 s, as G1 on
  // Java 25 gave a 512 MiB heap growing 2 MiB/s here, is two readings a minute. The followed
  // objects then say what the readings cannot: sites that kept objects allocated at every stage of
  // the window, at the window's rate, are growth if the readings there rise at half that rate.
  private void judgeKept() {
    if (onsetEvidence[0].isGrowth() && holding[0]) {
      return;
    }
    TrendWindow window = windows.get(0);
    Trend trend = trends[0];
    if (trend.points() < 2 || trend.spanSeconds() < window.seconds() / 2) {
      return;
    }
    long kept = 0;
    for (long bytes : followed.steadilyKept(window.millis()).values()) {
      kept += bytes;
    }
    double readingsRise = trend.slope() * window.seconds();
    if (!onsetEvidence[0].isGrowth() && kept >= riseBytes[0] && readingsRise >= kept / 2.0
        && risesLately(trend, kept, window) && !turnover(window)) {
      onsetEvidence[0] = GrowthBar.Evidence.KEPT;
      if (onsetSinceMillis[0] < 0) {
        onsetSinceMillis[0] = nowMillis;
      }
    }
    holding[0] |= kept >= riseBytes[0] / 2 && readingsRise >= kept / 4.0;
  }

  // A leak keeps what it allocates lately too, so where the window's recent half has readings
  // enough to say, they rise with it. A line fitted through few readings can owe its slope to the
  // first ones alone: a start-up's fill (a cache filled at once, whose later entries live longer
  // than the window, so that it keeps objects from every stage too), with readings flat since.
  private static boolean risesLately(Trend trend, long kept, TrendWindow window) {
    return trend.recentPoints() < 2 || trend.recentSlope() * window.seconds() >= kept / 4.0;
  }

  // The site growing fastest, where it shows growth and the heap's floors do not (yet). A site's
  // onset also needs it to have kept objects from every stage of the window, as only a leak does.
  private void judgeSites(int i) {
    TrendWindow window = windows.get(i);
    GrowthBar onset = GrowthBar.siteOnset(riseBytes[i]);
    GrowthBar hold = GrowthBar.hold(riseBytes[i]);
    Trend fastest = Trend.NONE;
    GrowthBar.Evidence fastestEvidence = GrowthBar.Evidence.NONE;
    for (SiteKey site : siteHistory.sites()) {
      int points = siteHistory.series(site, nowMillis, window.millis(), seconds, bytes);
      Trend trend = fit.fit(seconds, bytes, points, -window.seconds() / 2);
      if (!hold.judge(trend, window.seconds()).isGrowth() || trend.slope() <= fastest.slope()) {
        continue;
      }
      fastest = trend;
      fastestEvidence = onset.judge(trend, window.seconds());
      if (fastestEvidence.isGrowth() && !followed.steadilyKept(window.millis()).containsKey(site)) {
        fastestEvidence = GrowthBar.Evidence.NONE;
      }
    }
    siteTrends[i] = fastest;
    if (fastest.points() == 0 || holding[i] || onsetEvidence[i].isGrowth()) {
      return;
    }
    siteDriven[i] = true;
    holding[i] = true;
    onsetEvidence[i] = fastestEvidence;
    if (!fastestEvidence.isGrowth()) {
      onsetSinceMillis[i] = -1;
    } else if (onsetSinceMillis[i] < 0) {
      onsetSinceMillis[i] = nowMillis;
    }
  }

  // The trend that shows a window's growth: the heap's, or its fastest-growing site's.
  private Trend growing(int window) {
    return siteDriven[window] ? siteTrends[window] : trends[window];
  }

  // Where the live set stands by a window's account: a site's own level says nothing of the heap's.
  private double levelNow(int window) {
    return siteDriven[window] ? live.bytes() : trends[window].levelNow();
  }

  private void startIfGrowing(LiveSample sample, double dropBytes) {
    for (int i = 0; i < windows.size(); i++) {
      if (hasOnset(i)) {
        Trend trend = growing(i);
        double grown = trend.slope() * trend.spanSeconds();
        // A site's climb says nothing of where the heap's level stands: a marking that finds the
        // sessions' garbage takes the live set far below a young collection's reading while the
        // site keeps growing. Such a suspicion is lifted only when no window shows growth.
        double clearBelow = siteDriven[i] ? Double.NEGATIVE_INFINITY
            : Math.min(levelNow(i) - grown / 2, levelNow(i) - dropBytes);
        if (refutedLately(i, sample, clearBelow)) {
          continue;
        }
        long knownFrom = knownFrom(windows.get(i));
        Log.debug(String.format(java.util.Locale.ROOT,
            "leak onset: %.0f s window, evidence %s%s, %d readings over %.0f s rising %.2f MiB/s, bar %.0f MiB, reading %d MiB;"
                + " of the first half, from %d s, at most %.0f MiB alive",
            windows.get(i).seconds(), onsetEvidence[i], siteDriven[i] ? " (a site's count)" : "", trend.points(),
            trend.spanSeconds(), trend.slope() / (1 << 20), onsetBars[i] / (1 << 20), sample.bytes() >> 20,
            knownFrom / 1000, followed.aliveAtMostBytes(knownFrom, nowMillis - windows.get(i).millis() / 2, Double.POSITIVE_INFINITY) / (1 << 20)));
        suspected = true;
        sinceMillis = nowMillis;
        driving = i;
        quietSinceMillis = -1;
        clearBelowBytes = clearBelow;
        onsetLevelBytes = siteDriven[i] ? Double.NEGATIVE_INFINITY : levelNow(i);
        onsetGrowth = Math.max(0, trend.slope());
        return;
      }
    }
  }

  // Every reading is an upper bound of the live set. A leak's live set in the last quarter of the
  // window stands above the middle of its growth; a reading there at or below it (G1's remark
  // freeing the regions a churning cache emptied) says the climb was garbage, and would lift the
  // suspicion at once if it came next.
  private boolean refutedLately(int i, LiveSample sample, double clearBelow) {
    if (sample.bytes() <= clearBelow) {
      return true;
    }
    int points = history.series(nowMillis, windows.get(i).millis() / 4, true, seconds, bytes);
    for (int k = 0; k < points; k++) {
      if (bytes[k] <= clearBelow) {
        return true;
      }
    }
    return false;
  }

  private boolean hasOnset(int window) {
    // Persistence is for windows dense with readings, where each collection runs the test again on
    // nearly the same points. A steady climb needs none (no noise puts readings on a rising line),
    // nor do a few sparse readings, each of which is news: waiting for the next one would cost a
    // whole interval between collections.
    boolean lasted =
        onsetEvidence[window] == GrowthBar.Evidence.STEADY_CLIMB
            || onsetEvidence[window] == GrowthBar.Evidence.KEPT
            || onsetEvidence[window].isGrowth() && growing(window).points() <= MannKendall.EXACT_UP_TO
            || onsetSinceMillis[window] >= 0
                && nowMillis - onsetSinceMillis[window]
                    >= windows.get(window).millis() / PERSISTENCE_DIVISOR;
    boolean newGrowth =
        nowMillis >= liftedUntilMillis
            || levelNow(window) >= liftedAtBytes + riseBytes[window];
    return lasted && newGrowth;
  }

  private void keepOrLift(LiveSample sample, double dropBytes) {
    // Every reading is an upper bound of the live set, so one this low proves it came back down.
    if (sample.bytes() <= clearBelowBytes) {
      lift(sample.bytes(), "the live set fell back to " + (sample.bytes() >> 20) + " MiB");
      return;
    }
    if (sample.bytes() <= stillGrowingAbove(dropBytes)) {
      lift(sample.bytes(), String.format(java.util.Locale.ROOT,
          "the live set stands at %d MiB %.0f s after a suspicion raised at %.0f MiB",
          sample.bytes() >> 20, (nowMillis - sinceMillis) / 1000.0, onsetLevelBytes / (1 << 20)));
      return;
    }
    TrendWindow drivingWindow = windows.get(driving);
    if (!drivingWindow.floorsOnly() && !siteDriven[driving] && turnover(drivingWindow)) {
      lift(sample.bytes(), "the sites that kept what the readings rose by let go of what they kept before (a cache turning over)");
      return;
    }
    if (!drivingWindow.floorsOnly() && !siteDriven[driving] && !couldBeAlive(drivingWindow, trends[driving])) {
      lift(sample.bytes(), "too little of what the window's first half allocated can still be alive (a batch promoted whole and let go)");
      return;
    }
    for (int i = 0; i < windows.size(); i++) {
      if (holding[i]) {
        driving = i;
        quietSinceMillis = -1;
        return;
      }
    }
    if (quietSinceMillis < 0) {
      quietSinceMillis = nowMillis;
    }
    if (nowMillis - quietSinceMillis >= settings.clearAfter().toMillis()) {
      double stoodAt = Double.isNaN(level) ? live.bytes() : Math.max(level, live.bytes());
      lift(stoodAt, "no growth for " + settings.clearAfter().toSeconds() + " s");
    }
  }

  // A leak goes on growing: a whole driving window after the suspicion began, its live set stands
  // about that window's growth higher. Young collections' readings can climb as fast with promoted
  // garbage (a cache churning as fast as a leak, before its old generation is collected), but the
  // next old collection's floor cannot: one no higher than where the suspicion was raised, and a
  // saw-tooth drop below where the growth would have taken it, says the growth was garbage. A leak
  // that stopped stands higher than that, and is lifted after {@link LeakSettings#clearAfter()} as
  // before; a site's count says nothing of the heap's level.
  private double stillGrowingAbove(double dropBytes) {
    double seconds = (nowMillis - sinceMillis) / 1000.0;
    if (seconds < windows.get(driving).seconds()) {
      return Double.NEGATIVE_INFINITY;
    }
    return Math.min(onsetLevelBytes, onsetLevelBytes + onsetGrowth * seconds - dropBytes);
  }

  private void lift(double stoodAtBytes, String why) {
    Log.debug("leak suspicion lifted: " + why);
    suspected = false;
    sinceMillis = -1;
    driving = -1;
    growth = 0;
    level = Double.NaN;
    liftedAtBytes = stoodAtBytes;
    liftedUntilMillis = nowMillis + settings.longWindow().toMillis();
  }

  private void publish(long heapMax) {
    if (!suspected) {
      verdict = new LeakVerdict(false, 0, Double.NaN, live.bytes(), heapMax, -1, 0, nowMillis);
      return;
    }
    // The driving window's line, not the last reading, so one noisy collection does not swing
    // the projection; while that window has no line (too few points), the last one stands.
    Trend trend = growing(driving);
    if (trend.points() >= 2) {
      growth = Math.max(0, trend.slope());
      level = levelNow(driving);
    }
    double exhaustion =
        heapMax > 0 && growth > 0 && !Double.isNaN(level)
            ? Math.max(0, heapMax - unusableBytes - level) / growth
            : Double.NaN;
    verdict =
        new LeakVerdict(
            true,
            growth,
            exhaustion,
            live.bytes(),
            heapMax,
            sinceMillis,
            windows.get(driving).millis() / 1000,
            nowMillis);
  }

  private void announce(LeakVerdict changed) {
    Log.debug("leak verdict: " + changed.summary());
    for (Consumer<LeakVerdict> listener : listeners) {
      try {
        listener.accept(changed);
      } catch (RuntimeException e) {
        // A failing listener (a heap dump that cannot be written) must not stop the verdicts.
        Log.warnOnce("leak-listener", "a leak verdict listener failed: " + e);
      }
    }
  }
}
