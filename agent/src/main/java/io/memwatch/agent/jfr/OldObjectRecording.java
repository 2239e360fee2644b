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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * this user only, deleted at once), keeps every sample in it once (each dump adds the samples taken
 * since the JVM last swept dead ones; the recording keeps {@link #MAX_AGE}) and names their sites as the allocation sampler does. Without
 * paths to GC roots a dump walks no heap: a few milliseconds here, and tens to parse. The host's own
 * recordings are not touched.
 */
final class OldObjectRecording implements Supplier<List<OldObject>>, PathsToRoots, AutoCloseable {
  static final String EVENT = "jdk.OldObjectSample";
  static final Duration MAX_AGE = Duration.ofMinutes(2);
  /** How long the JVM may search for paths to GC roots, stopped at a safepoint, on each suspicion. */
  static final Duration PATHS_CUTOFF = Duration.ofSeconds(1);
  /** How recently allocated an object held from a thread's stack is taken to be on its way somewhere. */
  static final Duration IN_FLIGHT = Duration.ofSeconds(2);
  private static final String THREADS = "Threads";
  private static final String CLASS_NAME = "Class Name: ";
  private static final int MAX_PATH = 200;

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
    for (RecordedEvent event : dumpedSamples().values()) {
      objects.add(toObject(event));
    }
    Log.debug("read " + objects.size() + " of the JVM's sampled live objects in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    return objects;
  }

  @Override
  public synchronized List<HeldObject> heldWithPaths() {
    long start = System.nanoTime();
    long readAt = JvmClock.uptimeMillis();
    recording.enable(EVENT).withStackTrace().with("cutoff", PATHS_CUTOFF.toMillis() + " ms");
    try {
      List<HeldObject> held = new ArrayList<>();
      int withPath = 0;
      for (RecordedEvent event : dumpedSamples().values()) {
        // A path the search did not finish within its time limit ends at some object, not at a
        // root: what it names would be a link in the middle (a record's field), so it names nothing.
        long allocatedAt = JvmClock.uptimeAt(event.getInstant("allocationTime").toEpochMilli());
        String retainer = reachesRoot(event) && !inFlight(event, allocatedAt, readAt) ? names.of(path(event)) : null;
        withPath += retainer == null ? 0 : 1;
        held.add(new HeldObject(allocatedAt, retainer));
      }
      Log.debug("read " + held.size() + " of the JVM's sampled live objects, " + withPath + " with a path to a GC root, in "
          + (System.nanoTime() - start) / 1_000_000 + " ms");
      return held;
    } finally {
      recording.enable(EVENT).withStackTrace().with("cutoff", "0 ns");
    }
  }

  // Each dump makes the JVM write the samples taken since its last sweep of dead ones, not all of
  // them; earlier dumps' samples are still in the recording (kept MAX_AGE). So every sample in the
  // file counts, once: the same object written by two dumps has one allocation time and address.
  // Where one copy carries a path to a GC root, that one is kept.
  private Map<String, RecordedEvent> dumpedSamples() {
    Path file = null;
    try {
      file = Files.createTempFile("memwatch-old-objects-", ".jfr");
      recording.dump(file);
      Map<String, RecordedEvent> unique = new HashMap<>();
      for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
        if (isSample(event)) {
          unique.merge(identity(event), event, (kept, other) -> hasPath(kept) || !hasPath(other) ? kept : other);
        }
      }
      return unique;
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
    RecordedObject root = event.getValue("root");
    return readAtMillis - allocatedAtMillis < IN_FLIGHT.toMillis() && root.hasField("system")
        && THREADS.equals(root.getString("system"));
  }

  private static boolean hasPath(RecordedEvent event) {
    RecordedObject object = event.getValue("object");
    return object != null && object.hasField("referrer") && object.getValue("referrer") != null;
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

  private static String identity(RecordedEvent event) {
    RecordedObject object = event.getValue("object");
    long address = object != null && object.hasField("address") ? object.getLong("address") : 0;
    return event.getInstant("allocationTime") + "/" + address;
  }

  private static boolean isSample(RecordedEvent event) {
    return event.getEventType().getName().equals(EVENT);
  }

  private OldObject toObject(RecordedEvent event) {
    RecordedObject object = event.getValue("object");
    RecordedClass type = object == null ? null : object.getValue("type");
    RecordedThread thread = event.getThread();
    int site = resolver.resolve(thread == null ? null : thread.getJavaName(), RecordedFrames.of(event.getStackTrace()),
        type == null ? "(unknown)" : type.getName());
    long allocatedAt = JvmClock.uptimeAt(event.getInstant("allocationTime").toEpochMilli());
    return new OldObject(site == SiteResolver.HOOKED ? null : sites.key(site), allocatedAt);
  }

  @Override
  public void close() {
    recording.close();
  }
}
