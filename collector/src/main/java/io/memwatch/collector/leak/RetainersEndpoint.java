package io.memwatch.collector.leak;

import io.memwatch.collector.export.GuardedEndpoint;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.retainers.Retainers;
import io.memwatch.collector.sites.OldObjects;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code POST /retainers}: what keeps the JVM's sampled live objects, on request, as a suspicion
 * finds it on its own (see {@link LeakReporter}): the JVM searches the paths from its sampled
 * objects to GC roots, stopped at a safepoint for up to its time limit. So it is guarded
 * ({@link GuardedEndpoint}), one search at a time (409) and one per {@link #MIN_INTERVAL_MILLIS} at
 * most (429): a script that asks in a loop cannot keep the host stopped.
 */
public final class RetainersEndpoint implements GuardedEndpoint.Action {
  public static final String PATH = "/retainers";
  public static final String PURPOSE = "search what keeps the sampled live objects (the JVM stops for up to a second)";
  static final long MIN_INTERVAL_MILLIS = 10_000;

  private final OldObjects oldObjects;
  private final Supplier<LeakVerdict> verdict;
  private final LongSupplier clockMillis;
  private final ReentrantLock searching = new ReentrantLock();
  private long searchedAtMillis = Long.MIN_VALUE;

  public RetainersEndpoint(OldObjects oldObjects, Supplier<LeakVerdict> verdict) {
    this(oldObjects, verdict, () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
  }

  RetainersEndpoint(OldObjects oldObjects, Supplier<LeakVerdict> verdict, LongSupplier clockMillis) {
    this.oldObjects = oldObjects;
    this.verdict = verdict;
    this.clockMillis = clockMillis;
  }

  @Override
  public GuardedEndpoint.Answer run() {
    if (!searching.tryLock()) {
      return new GuardedEndpoint.Answer(409, "a search is running; ask again when it is done\n");
    }
    try {
      long now = clockMillis.getAsLong();
      if (searchedAtMillis != Long.MIN_VALUE && now - searchedAtMillis < MIN_INTERVAL_MILLIS) {
        long wait = (MIN_INTERVAL_MILLIS - (now - searchedAtMillis) + 999) / 1000;
        return new GuardedEndpoint.Answer(429, "one search every " + MIN_INTERVAL_MILLIS / 1000 + " s; ask again in " + wait + " s\n");
      }
      if (!oldObjects.started()) {
        boolean available = oldObjects.available();
        oldObjects.want("asked for retainers");
        return new GuardedEndpoint.Answer(503, available
            ? "the JVM's leak profiler was not running (it starts when the live set grows); started now, it samples"
                + " what is allocated from now on: ask again in a minute\n"
            : "the JVM's leak profiler is not available (yet): memwatch starts the Flight Recorder once the host's start-up"
                + " is over, and never with jfr=false or without a usable Flight Recorder; it will start when it can:"
                + " ask again in a minute\n");
      }
      searchedAtMillis = now;
      List<HeldObject> held = oldObjects.heldWithPaths();
      String answer = describe(held, verdict.get());
      Log.info("retainers searched on request: " + String.join("; ", answer.lines().limit(2).toList()));
      return new GuardedEndpoint.Answer(200, answer);
    } finally {
      searching.unlock();
    }
  }

  static String describe(List<HeldObject> held, LeakVerdict verdict) {
    int withPath = Retainers.withPath(held, Long.MIN_VALUE, Long.MAX_VALUE);
    StringBuilder text = new StringBuilder()
        .append(held.size()).append(" sampled live objects, ").append(withPath).append(" with a path to a GC root\n");
    for (Retainers.Retainer retainer : Retainers.of(held, Long.MIN_VALUE, Long.MAX_VALUE, 0)) {
      text.append(retainer.name()).append(" holds ").append(retainer.samples()).append(" of ").append(withPath)
          .append(" (").append(Math.round(retainer.share() * 100)).append("%)\n");
    }
    if (verdict.suspected()) {
      long from = verdict.sinceMillis() - verdict.windowSeconds() * 1000;
      List<Retainers.Retainer> growth = Retainers.of(held, from, verdict.sinceMillis(),
          verdict.growthBytesPerSecond() * verdict.windowSeconds());
      text.append("leak suspected: ").append(verdict.summary()).append('\n')
          .append("retained by: ").append(Retainers.describe(growth, Retainers.withPath(held, from, verdict.sinceMillis())))
          .append('\n');
    }
    return text.toString();
  }
}
