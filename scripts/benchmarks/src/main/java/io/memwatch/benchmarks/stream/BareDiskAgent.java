package io.memwatch.benchmarks.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@link BareStreamAgent}'s reader done in bulk instead (bench-overhead.sh's {@code jfr-disk}): the
 * same sampler, settings and counting, but a plain to-disk {@link Recording} read every 5 s rather
 * than a stream parsing the disk repository every second. Whether a reader that parses less often
 * costs less is what this measures. Each read takes a stopped copy of the recording, which ends the
 * current chunk, so the events up to that moment are readable; only the chunks since the last read
 * are copied out and parsed. The JVM still flushes its buffers to the chunk every second, as for a
 * stream: that is a recording's default flush interval, which the Recording API cannot change (only
 * JFR.start and -XX:StartFlightRecording take a flush-interval).
 */
final class BareDiskAgent {
  private static final Duration PERIOD = Duration.ofSeconds(5);

  private BareDiskAgent() {}

  static void start() {
    Thread reader = new Thread(BareDiskAgent::read, "bare-disk");
    reader.setDaemon(true);
    reader.start();
  }

  private static void read() {
    long[] seen = new long[1];
    try {
      Thread.sleep(1500);
      Path dir = Files.createTempDirectory("bare-disk");
      // One file, overwritten by each read: never more than the chunks since the last read.
      Path file = dir.resolve("read.jfr");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        if (Boolean.getBoolean("bench.disk.debug")) {
          System.err.println("bare-disk: read " + seen[0] + " events and frames");
        }
        try {
          Files.deleteIfExists(file);
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // A read still under way at exit; the temp directory is the system's to clear.
        }
      }));
      try (Recording recording = new Recording()) {
        recording.setToDisk(true);
        recording.setMaxAge(Duration.ofSeconds(30));
        recording.setMaxSize(8L << 20);
        recording.enable("jdk.ObjectAllocationSample").with("throttle", "150/s").withStackTrace();
        recording.enable("jdk.GarbageCollection").withThreshold(Duration.ZERO);
        recording.start();
        Instant from = recording.getStartTime();
        while (true) {
          Thread.sleep(PERIOD.toMillis());
          from = readSince(recording, from, file, seen);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts the events after {@code from}; returns the end of what was read. */
  private static Instant readSince(Recording recording, Instant from, Path file, long[] seen)
      throws IOException {
    // A running recording cannot be read (getStream throws); a stopped copy shares its chunks.
    try (Recording copy = recording.copy(true)) {
      Instant to = copy.getStopTime();
      // The previous read's last chunk ends exactly at from: a nanosecond later leaves it out.
      try (InputStream in = copy.getStream(from.plusNanos(1), to)) {
        if (in == null) {
          return from;
        }
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      try (RecordingFile events = new RecordingFile(file)) {
        while (events.hasMoreEvents()) {
          RecordedEvent event = events.readEvent();
          if (event.getEndTime().isBefore(from)) {
            continue;
          }
          switch (event.getEventType().getName()) {
            case "jdk.ObjectAllocationSample":
              seen[0]++;
              if (event.getStackTrace() != null) {
                seen[0] += event.getStackTrace().getFrames().size();
              }
              break;
            case "jdk.GarbageCollection":
              seen[0]++;
              break;
            default:
              break;
          }
        }
      }
      return to;
    }
  }
}
