package io.memwatch.benchmarks.stream;

import java.time.Duration;
import jdk.jfr.consumer.RecordingStream;

/**
 * The least an in-process reader of the JVM's allocation sampler can do, as a baseline for memwatch's
 * own (bench-overhead.sh's {@code jfr-stream}): after 1.5 s, on a daemon thread, one {@link
 * RecordingStream} of {@code jdk.ObjectAllocationSample} at memwatch's throttle and settings, with
 * stack traces, whose handler only counts the events and their frames. What memwatch costs beyond
 * this is its own: its start (collector, meters, endpoint) and its work per event. On Java 25 the
 * reading threads cost the same; memwatch's start made the difference (RESULTS.md).
 *
 * <p>benchmarks.jar has one Premain-Class, this one: {@code -javaagent:benchmarks.jar=disk} runs
 * {@link BareDiskAgent} instead.
 */
public final class BareStreamAgent {
  private BareStreamAgent() {}

  public static void premain(String args) {
    if ("disk".equals(args)) {
      BareDiskAgent.start();
      return;
    }
    Thread reader = new Thread(BareStreamAgent::read, "bare-stream");
    reader.setDaemon(true);
    reader.start();
  }

  private static void read() {
    long[] seen = new long[1];
    try {
      Thread.sleep(1500);
      try (RecordingStream stream = new RecordingStream()) {
        stream.setReuse(true);
        stream.setOrdered(false);
        stream.setMaxAge(Duration.ofSeconds(30));
        stream.setMaxSize(8L << 20);
        stream.enable("jdk.ObjectAllocationSample").with("throttle", "150/s").withStackTrace();
        stream.enable("jdk.GarbageCollection").withThreshold(Duration.ZERO);
        stream.onEvent("jdk.ObjectAllocationSample", event -> {
          seen[0]++;
          if (event.getStackTrace() != null) {
            seen[0] += event.getStackTrace().getFrames().size();
          }
        });
        stream.onEvent("jdk.GarbageCollection", event -> seen[0]++);
        stream.start();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
