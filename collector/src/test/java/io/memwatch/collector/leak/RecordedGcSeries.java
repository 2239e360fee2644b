package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A series of collections recorded from a real JVM running one of the scenarios of {@code
 * example.fixtures.ServiceScenarioApp} (see {@code GcSeriesRecorder}), read back as the agent's
 * {@link GcEvent}s. Files live in {@code src/test/resources/gc-series/}, named {@code
 * SCENARIO-COLLECTOR-javaN.txt}; {@code #} lines say what ran, when the scenario's behaviour
 * started and, where it did, when the heap ran out.
 */
record RecordedGcSeries(String name, String scenario, long startedMillis, long outOfMemoryMillis, List<GcEvent> events) {

  static RecordedGcSeries load(String name) {
    String resource = "/gc-series/" + name;
    try (InputStream in = RecordedGcSeries.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no recorded series " + resource);
      }
      return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RecordedGcSeries parse(String name, String text) {
    String scenario = "";
    long started = 0;
    long outOfMemory = -1;
    List<GcEvent> events = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# scenario ")) {
        scenario = line.substring("# scenario ".length()).trim();
      } else if (line.startsWith("# started ")) {
        started = Long.parseLong(line.substring("# started ".length()).trim());
      } else if (line.startsWith("# out of memory ")) {
        outOfMemory = Long.parseLong(line.substring("# out of memory ".length()).trim());
      } else if (!line.startsWith("#")) {
        events.add(event(line));
      }
    }
    return new RecordedGcSeries(name, scenario, started, outOfMemory, List.copyOf(events));
  }

  private static GcEvent event(String line) {
    String[] fields = line.split("\\|", -1);
    List<PoolUsage> pools = new ArrayList<>();
    if (fields.length > 5 && !fields[5].isEmpty()) {
      for (String pool : fields[5].split(";")) {
        String[] figures = pool.split(":");
        pools.add(new PoolUsage(figures[0], Long.parseLong(figures[1]), Long.parseLong(figures[2]),
            Long.parseLong(figures[3]), Long.parseLong(figures[4])));
      }
    }
    return new GcEvent(fields[2], fields[3], fields[4], Long.parseLong(fields[0]), Long.parseLong(fields[1]), pools);
  }

  /** Hands every event to {@code sink}, in the order the JVM reported them. */
  void replay(Consumer<GcEvent> sink) {
    events.forEach(sink);
  }

  /** Seconds from the scenario's start to the heap running out; NaN if it never did. */
  double secondsToOutOfMemoryFrom(double uptimeSeconds) {
    return outOfMemoryMillis < 0 ? Double.NaN : outOfMemoryMillis / 1000.0 - uptimeSeconds;
  }
}
