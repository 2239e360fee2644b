package io.memwatch.benchmarks.leakprofiler;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordingFile;

/**
 * Does each dump of a {@code jdk.OldObjectSample} recording with a cutoff search the paths to GC
 * roots afresh, for every sample, and so see a sample die in the old generation before any
 * collection of it? Keeps about 94 MiB of {@code long[1000]} (promoted by young collections of
 * 8 KiB garbage), dumps once without paths and once with, drops them, and dumps with paths twice
 * more; it counts the {@code long[]} samples each dump wrote, with a root and without, and prints
 * the collections of the old generation seen meanwhile (there should be none).
 *
 * <pre>java -Xmx1g -XX:+UseParallelGC scripts/benchmarks/src/main/java/io/memwatch/benchmarks/leakprofiler/ReEmittedSamples.java</pre>
 */
public final class ReEmittedSamples {
  private static final String EVENT = "jdk.OldObjectSample";
  private static final List<long[]> KEPT = new ArrayList<>();
  private static volatile Object sink;

  public static void main(String[] args) throws Exception {
    try (Recording recording = new Recording()) {
      recording.enable(EVENT).withStackTrace().with("cutoff", "0 ns");
      recording.setToDisk(true);
      recording.start();
      for (int i = 0; i < 12_000; i++) {
        KEPT.add(new long[1000]);
        for (int j = 0; j < 20; j++) {
          sink = new byte[4096];
        }
      }
      allocateGarbage(2000);
      long oldBefore = oldCollections();
      dump(recording, "without paths", false);
      allocateGarbage(500);
      dump(recording, "with paths, all kept", true);
      KEPT.clear();
      allocateGarbage(3000);
      dump(recording, "with paths, after dropping them", true);
      allocateGarbage(1000);
      dump(recording, "with paths, again", true);
      System.out.println("old-generation collections meanwhile: " + (oldCollections() - oldBefore));
    }
  }

  private static void dump(Recording recording, String what, boolean paths) throws Exception {
    Instant from = Instant.now();
    recording.enable(EVENT).withStackTrace().with("cutoff", paths ? "1000 ms" : "0 ns");
    Path file = Files.createTempFile("memwatch-reemitted-", ".jfr");
    try {
      recording.dump(file);
      int withRoot = 0;
      int withoutRoot = 0;
      for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
        // The dump holds what earlier dumps wrote too: count only what this one wrote.
        if (!event.getEventType().getName().equals(EVENT) || event.getStartTime().isBefore(from)) {
          continue;
        }
        RecordedObject object = event.getValue("object");
        if (object != null && "[J".equals(((RecordedClass) object.getValue("type")).getName())) {
          if (event.getValue("root") != null) {
            withRoot++;
          } else {
            withoutRoot++;
          }
        }
      }
      System.out.println("dump " + what + ": long[] samples written with a root " + withRoot + ", without " + withoutRoot);
    } finally {
      recording.enable(EVENT).withStackTrace().with("cutoff", "0 ns");
      Files.deleteIfExists(file);
    }
  }

  private static void allocateGarbage(long millis) {
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end) {
      sink = new byte[8192];
    }
  }

  private static long oldCollections() {
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = gc.getName();
      if (name.contains("MarkSweep") || name.contains("Old") || name.contains("Concurrent")) {
        count += gc.getCollectionCount();
      }
    }
    return count;
  }

  private ReEmittedSamples() {}
}
