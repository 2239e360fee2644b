package io.memwatch.collector.sites;

import io.memwatch.collector.events.JvmClock;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.retainers.PathsToRoots;
import java.util.List;
import java.util.function.Supplier;

/**
 * The JVM's own sample of live objects ({@link OldObject}), for the sites no hook follows: the JDK's
 * and libraries' allocations, named after the user's line that led to them. Something outside the
 * collector reads it (the agent, through the Flight Recorder); until it is plugged in, and where it
 * cannot be, the sample is empty.
 *
 * <p>The JVM's leak profiler takes a stack trace at each allocation it considers, which an
 * allocation-heavy service pays for in CPU time. So the agent only offers to start it, and it is
 * started once it is wanted: when the live set is first seen growing, there is growth to explain.
 */
public final class OldObjects implements LiveGraphWalks {
  private volatile Supplier<List<OldObject>> source = List::of;
  private Supplier<? extends Supplier<List<OldObject>>> starter;
  private String wantedBecause; // null while not wanted
  private boolean started;
  private long profilerSinceMillis = -1;
  private volatile long samplerSinceMillis = -1;
  private volatile LiveGraphWalk latestWalk = LiveGraphWalk.NONE;
  private volatile long latestWalkCostMillis;

  /** At most one walk this often for {@link #recent}: each stops the JVM. */
  static final long WALK_PERIOD_MILLIS = 20_000;
  /** ... and at most this share of the time, on a heap whose walks are slow. */
  static final int WALK_COST_DIVISOR = 100;

  /** The JVM's allocation sampler delivers from now on ({@code atMillis}, JVM uptime) what the hooks do not follow. */
  public void samplerStarted(long atMillis) {
    samplerSinceMillis = atMillis;
  }

  /** JVM uptime since which the JVM's allocation sampler has been delivering, -1 while it is not. */
  public long samplerSinceMillis() {
    return samplerSinceMillis;
  }

  /** From now on, samples come from {@code source}, already running; it is asked on the collector thread. */
  public synchronized void use(Supplier<List<OldObject>> source) {
    this.source = source;
    started = true;
    profilerSinceMillis = JvmClock.uptimeMillis();
  }

  /** {@code starter} starts the JVM's sample and returns its reader: called once it is wanted, at once if it already is. */
  public synchronized void offer(Supplier<? extends Supplier<List<OldObject>>> starter) {
    this.starter = starter;
    startIfWantedAndOffered();
  }

  /** The live set grows: start the JVM's sample if it can be, now or once offered. */
  public synchronized void want() {
    want("the live set grows");
  }

  /** The same, for {@code reason}. */
  public synchronized void want(String reason) {
    if (wantedBecause == null) {
      wantedBecause = reason;
    }
    startIfWantedAndOffered();
  }

  public synchronized boolean started() {
    return started;
  }

  /** Whether the JVM's sample runs or can be started: false without a usable Flight Recorder. */
  public synchronized boolean available() {
    return started || starter != null;
  }

  private void startIfWantedAndOffered() {
    if (wantedBecause == null || starter == null || started) {
      return;
    }
    started = true;
    try {
      source = starter.get();
      profilerSinceMillis = JvmClock.uptimeMillis();
      Log.debug(wantedBecause + ": the JVM's leak profiler started");
    } catch (RuntimeException e) {
      Log.debug("the JVM's leak profiler (JFR old object samples) could not start", e);
    }
  }

  @Override
  public synchronized long sampledSinceMillis() {
    if (profilerSinceMillis >= 0) {
      return profilerSinceMillis;
    }
    return !started && starter != null ? Long.MAX_VALUE : -1;
  }

  /**
   * The objects sampled and still alive now with what keeps each ({@link PathsToRoots}), where the
   * running source can find paths; empty otherwise. Stops the JVM for up to the source's time limit.
   * Never throws. Kept as the {@link #latestWalk}.
   */
  public List<HeldObject> heldWithPaths() {
    if (!(source instanceof PathsToRoots paths)) {
      return List.of();
    }
    try {
      long start = System.nanoTime();
      List<HeldObject> held = paths.heldWithPaths();
      latestWalkCostMillis = (System.nanoTime() - start) / 1_000_000;
      latestWalk = new LiveGraphWalk(JvmClock.uptimeMillis(), held);
      return held;
    } catch (RuntimeException e) {
      Log.debug("the paths to GC roots could not be read", e);
      return List.of();
    }
  }

  /** The latest walk of the live graph made for any reason, {@link LiveGraphWalk#NONE} before the first. */
  public LiveGraphWalk latestWalk() {
    return latestWalk;
  }

  /**
   * A walk of the live graph made now, or the latest if one was made lately: at most one every
   * {@link #WALK_PERIOD_MILLIS}, and no more than a hundredth of the time. {@link LiveGraphWalk#NONE}
   * while the JVM's sample is not running. On the collector thread.
   */
  @Override
  public LiveGraphWalk recent() {
    LiveGraphWalk latest = latestWalk;
    long waitMillis = Math.max(WALK_PERIOD_MILLIS, WALK_COST_DIVISOR * latestWalkCostMillis);
    if (!started() || latest.atMillis() != Long.MIN_VALUE && JvmClock.uptimeMillis() - latest.atMillis() < waitMillis) {
      return latest;
    }
    heldWithPaths();
    return latestWalk;
  }

  /** The objects sampled and still alive now; empty if nothing can tell. Never throws. */
  public List<OldObject> sample() {
    try {
      return source.get();
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
