package io.memwatch.agent.jfr;

import io.memwatch.collector.events.JvmClock;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.retainers.HeldObject;
import io.memwatch.collector.retainers.PathsToRoots;
import io.memwatch.collector.sites.OldObject;
import io.memwatch.collector.sites.SiteRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The JVM's own leak profiler ({@code jdk.OldObjectSample}), read on demand: about 256 objects,
 * JVM-wide, that it picked as they were allocated and keeps while they live, preferring those that
 * outlive their neighbours, each with its allocation stack. It only picks objects while a recording
 * asks for the event, so this one runs from the start of the allocation sampler.
 *
 * <p>The event never reaches a {@code RecordingStream}: the JVM writes its samples only when a
 * recording is dumped. A read dumps this recording to a file of memwatch's own (created readable by
 * this user only, deleted at once) and names the sites of the samples as the allocation sampler
 * does. Each dump writes every sample the JVM holds again, the dead ones it has not swept yet
 * included (checked on Java 17 and 25, Parallel, Serial and G1: {@code ReEmittedSamples} in the
 * benchmarks), so only the newest dump's copies count. Without paths to GC roots a dump walks no
 * heap: a few milliseconds here, and tens to parse. The host's own recordings are not touched.
 */
final class OldObjectRecording implements Supplier<List<OldObject>>, PathsToRoots, AutoCloseable {
  static final String EVENT = "jdk.OldObjectSample";
  static final Duration MAX_AGE = Duration.ofMinutes(2);
  /** How long the JVM may search for paths to GC roots, stopped at a safepoint, on each suspicion. */
  static final Duration PATHS_CUTOFF = Duration.ofSeconds(1);
  /** How recently allocated an object held from a thread's stack is taken to be on its way somewhere. */
  static final Duration IN_FLIGHT = Duration.ofSeconds(2);
  /** How many searches for paths one call may make at most (see {@link #heldWithPaths}). */
  static final int SEARCHES = 3;
  private static final String THREADS = "Threads";
  private static final String CLASS_NAME = "Class Name: ";
  private static final int MAX_PATH = 200;
  // The JVM stamps a dump's samples with its own clock, read during the dump.
  private static final Duration CLOCK_SLACK = Duration.ofSeconds(1);

  private final Recording recording;
  private final SiteResolver resolver;
  private final SiteRegistry sites;
  private final RetainerName names;

  private OldObjectRecording(Recording recording, SiteResolver resolver, SiteRegistry sites, RetainerName names) {
    this.recording = recording;
    this.resolver = resolver;
    this.sites = sites;
    this.names = names;
  }

  /** Starts the recording; {@code resolver} must be this recording's own: reads come from another thread. */
  static OldObjectRecording start(SiteResolver resolver, SiteRegistry sites, RetainerName names) {
    Recording recording = new Recording();
    recording.setName("memwatch old objects");
    recording.enable(EVENT).withStackTrace().with("cutoff", "0 ns");
    recording.setToDisk(true);
    recording.setMaxAge(MAX_AGE);
    recording.start();
    return new OldObjectRecording(recording, resolver, sites, names);
  }

  @Override
  public synchronized List<OldObject> get() {
    long start = System.nanoTime();
    List<OldObject> objects = new ArrayList<>();
    for (RecordedEvent event : newestSamples()) {
      objects.add(toObject(event));
    }
    Log.debug("read " + objects.size() + " of the JVM's sampled live objects in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    return objects;
  }

  /**
   * {@inheritDoc} Each sample comes with its site (hooked code's too) and whether this search
   * reached it from a root: one the collections kept and that died since is found by no search until
   * a collection clears it. A search that used most of its time limit may have stopped short, and
   * then says every object is reachable. A search that caught a JDK method at work on the leak's
   * structure (see {@link RetainerName#jdkAtWork}) is made again, at most {@link #SEARCHES} in all,
   * and the one that caught it least is kept: the method is done a moment later.
   */
  @Override
  public synchronized List<HeldObject> heldWithPaths() {
    recording.enable(EVENT).withStackTrace().with("cutoff", PATHS_CUTOFF.toMillis() + " ms");
    try {
      Search best = null;
      for (int i = 0; i < SEARCHES && (best == null || best.atWork() > 0); i++) {
        Search search = search();
        if (best == null || search.atWork() < best.atWork()) {
          best = search;
        }
      }
      return best.held();
    } finally {
      recording.enable(EVENT).withStackTrace().with("cutoff", "0 ns");
    }
  }

  private record Search(List<HeldObject> held, int atWork) {}

  private Search search() {
    long start = System.nanoTime();
    long readAt = JvmClock.uptimeMillis();
    List<RecordedEvent> samples = newestSamples();
    long searchMillis = (System.nanoTime() - start) / 1_000_000;
    boolean searchedAll = searchMillis < PATHS_CUTOFF.toMillis() * 3 / 4;
    List<HeldObject> held = new ArrayList<>();
    int withPath = 0;
    int unreachable = 0;
    int atWork = 0;
    for (RecordedEvent event : samples) {
      // A path the search did not finish within its time limit ends at some object, not at a
      // root: what it names would be a link in the middle (a record's field), so it names nothing.
      long allocatedAt = JvmClock.uptimeAt(event.getInstant("allocationTime").toEpochMilli());
      boolean reachable = reachesRoot(event);
      String retainer = null;
      if (reachable && !inFlight(event, allocatedAt, readAt)) {
        List<RetainerName.Link> path = path(event);
        boolean jdkAtWork = fromAStack(event) && RetainerName.jdkAtWork(path);
        atWork += jdkAtWork ? 1 : 0;
        retainer = jdkAtWork ? null : names.of(path);
      }
      withPath += retainer == null ? 0 : 1;
      unreachable += reachable ? 0 : 1;
      held.add(heldObject(event, allocatedAt, reachable || !searchedAll, retainer));
    }
    Log.debug("read " + held.size() + " of the JVM's sampled live objects, " + withPath + " with a path to a GC root, "
        + unreachable + " reached by none, " + atWork + " held by a JDK method at work, in "
        + (System.nanoTime() - start) / 1_000_000 + " ms"
        + (searchedAll ? "" : " (the search may have stopped short: all taken as reachable)"));
    return new Search(held, atWork);
  }

  // The copies the dump just made: the samples the JVM holds now, each written once, all with one
  // end time (the dump's). Older dumps' copies stay in the recording (kept MAX_AGE) and may be of
  // objects swept since. Empty if the dump wrote none.
  private List<RecordedEvent> newestSamples() {
    Path file = null;
    try {
      file = Files.createTempFile("memwatch-old-objects-", ".jfr");
      Instant dumpedFrom = Instant.now().minus(CLOCK_SLACK);
      recording.dump(file);
      List<RecordedEvent> samples = new ArrayList<>();
      Instant newest = Instant.MIN;
      for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
        if (!isSample(event)) {
          continue;
        }
        int order = event.getEndTime().compareTo(newest);
        if (order > 0) {
          samples.clear();
          newest = event.getEndTime();
        }
        if (order >= 0) {
          samples.add(event);
        }
      }
      return newest.isBefore(dumpedFrom) ? List.of() : samples;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          Log.debug("could not delete " + file + ": " + e);
        }
      }
    }
  }

  private static boolean reachesRoot(RecordedEvent event) {
    return event.hasField("root") && event.getValue("root") != null;
  }

  // An object allocated moments ago is often still in a local variable of the code that is about to
  // store it: the search finds that short path first (and, on a busy machine, within its limit only
  // the short ones), and it would name the record being built (DemoService$LeakedRecord.data), not
  // the list it goes into. A thread's stack is what keeps an older object, though: a worker's local
  // cache.
  private static boolean inFlight(RecordedEvent event, long allocatedAtMillis, long readAtMillis) {
    return readAtMillis - allocatedAtMillis < IN_FLIGHT.toMillis() && fromAStack(event);
  }

  private static boolean fromAStack(RecordedEvent event) {
    RecordedObject root = event.getValue("root");
    return root.hasField("system") && THREADS.equals(root.getString("system"));
  }

  // The sampled object first, then each object that refers to it, up to the root.
  private static List<RetainerName.Link> path(RecordedEvent event) {
    List<RetainerName.Link> links = new ArrayList<>();
    RecordedObject object = event.getValue("object");
    String via = null;
    while (object != null && links.size() < MAX_PATH) {
      RecordedClass type = object.getValue("type");
      String typeName = type == null ? "(unknown)" : type.getName();
      String className = null;
      if ("java.lang.Class".equals(typeName) && object.hasField("description")) {
        String description = object.getString("description");
        if (description != null && description.startsWith(CLASS_NAME)) {
          className = description.substring(CLASS_NAME.length());
        }
      }
      RecordedObject referrer = object.hasField("referrer") ? object.getValue("referrer") : null;
      String field = null;
      RecordedObject next = null;
      if (referrer != null) {
        RecordedObject fieldRef = referrer.hasField("field") ? referrer.getValue("field") : null;
        field = fieldRef == null ? null : fieldRef.getString("name");
        next = referrer.hasField("object") ? referrer.getValue("object") : null;
      }
      links.add(new RetainerName.Link(typeName, className, field));
      object = next;
    }
    return links;
  }

  private static boolean isSample(RecordedEvent event) {
    return event.getEventType().getName().equals(EVENT);
  }

  private OldObject toObject(RecordedEvent event) {
    int site = resolver.resolve(threadName(event), RecordedFrames.of(event.getStackTrace()), typeName(event));
    long allocatedAt = JvmClock.uptimeAt(event.getInstant("allocationTime").toEpochMilli());
    return new OldObject(site == SiteResolver.HOOKED ? null : sites.key(site), allocatedAt);
  }

  // Hooked code's objects are named by their allocating frame, as the hooks name them.
  private HeldObject heldObject(RecordedEvent event, long allocatedAt, boolean reachable, String retainer) {
    RecordedFrames frames = RecordedFrames.of(event.getStackTrace());
    String type = typeName(event);
    int site = resolver.resolve(threadName(event), frames, type);
    boolean hooked = site == SiteResolver.HOOKED;
    return new HeldObject(allocatedAt, sites.key(hooked ? resolver.allocatingFrame(frames, type) : site), hooked, reachable, retainer);
  }

  private static String threadName(RecordedEvent event) {
    RecordedThread thread = event.getThread();
    return thread == null ? null : thread.getJavaName();
  }

  private static String typeName(RecordedEvent event) {
    RecordedObject object = event.getValue("object");
    RecordedClass type = object == null ? null : object.getValue("type");
    return type == null ? "(unknown)" : type.getName();
  }

  @Override
  public void close() {
    recording.close();
  }
}
