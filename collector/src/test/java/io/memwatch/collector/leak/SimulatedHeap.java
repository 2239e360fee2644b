package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.GcEvent.PoolUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.DoubleUnaryOperator;

/**
 * A heap that produces the GC events each collector family reports, for a live set that follows a
 * given curve: young collections whose readings climb with promoted garbage, old collections (full,
 * mixed, major cycles) that bring them back to the live set, pause beans with figures of no use,
 * and optional jitter. Deterministic for a given seed.
 */
final class SimulatedHeap {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  enum Gc {
    G1,
    PARALLEL,
    SERIAL,
    ZGC_SINGLE_BEAN,
    ZGC,
    ZGC_GENERATIONAL
  }

  private final Gc gc;
  private final long max;
  private DoubleUnaryOperator live;
  private double youngEvery = 1;
  private double garbagePerSecond;
  private double oldCollectedAt;
  private double jitter;
  private Random random = new Random(1);
  private double now;
  private double oldGarbage;
  private double oldAfter;

  private SimulatedHeap(Gc gc, long max) {
    this.gc = gc;
    this.max = max;
    this.live = t -> 0.2 * max;
    this.oldCollectedAt =
        switch (gc) {
          case PARALLEL, SERIAL -> (double) oldCapacity() / max;
          default -> 0.45; // G1's default initiating heap occupancy
        };
  }

  static SimulatedHeap of(Gc gc, long maxBytes) {
    return new SimulatedHeap(gc, maxBytes);
  }

  /** The live set, in bytes, at a given second. */
  SimulatedHeap live(DoubleUnaryOperator bytesAtSecond) {
    this.live = bytesAtSecond;
    return this;
  }

  /** Objects that survive young collections and die in the old generation. */
  SimulatedHeap garbage(double bytesPerSecond) {
    this.garbagePerSecond = bytesPerSecond;
    return this;
  }

  SimulatedHeap youngEvery(double seconds) {
    this.youngEvery = seconds;
    return this;
  }

  /** Occupancy of the heap (fraction of max) at which the old generation gets collected. */
  SimulatedHeap oldCollectedAt(double fraction) {
    this.oldCollectedAt = fraction;
    return this;
  }

  /** Every reading off by up to ± {@code fraction}, uniformly. */
  SimulatedHeap jitter(double fraction, long seed) {
    this.jitter = fraction;
    this.random = new Random(seed);
    return this;
  }

  double now() {
    return now;
  }

  long max() {
    return max;
  }

  double liveAt(double second) {
    return live.applyAsDouble(second);
  }

  /** Runs the heap until {@code seconds} of uptime, handing each event to {@code sink}. */
  SimulatedHeap runUntil(double seconds, Consumer<GcEvent> sink) {
    while (true) {
      double step = youngEvery * (0.8 + 0.4 * random.nextDouble());
      if (now + step > seconds) {
        return this;
      }
      now += step;
      oldGarbage += garbagePerSecond * step;
      double liveNow = live.applyAsDouble(now);
      switch (gc) {
        case ZGC_SINGLE_BEAN, ZGC -> zgcCycle(liveNow, sink);
        default -> {
          youngCollection(liveNow, sink);
          if (oldAfter >= oldCollectedAt * max && oldGarbage >= 0.01 * max) {
            oldCollection(liveNow, sink);
          }
        }
      }
    }
  }

  private void youngCollection(double liveNow, Consumer<GcEvent> sink) {
    double before = oldAfter;
    oldAfter = noisy(liveNow + oldGarbage);
    // A young collection only adds to the old generation; keep "before" below "after".
    double oldBefore = Math.min(before, oldAfter - 0.001 * max);
    String[] names = names();
    List<PoolUsage> pools = new ArrayList<>();
    if (gc == Gc.ZGC_GENERATIONAL) {
      pools.add(pool(names[3], edenBytes() + survivorBytes(), survivorBytes(), max));
      pools.add(pool(names[4], oldBefore, oldAfter, max));
      sink.accept(
          event(
              "ZGC Minor Pauses",
              "end of GC pause",
              "Allocation Rate",
              0,
              List.of(
                  pool(names[3], edenBytes(), edenBytes(), max),
                  pool(names[4], oldAfter, oldAfter, max))));
    } else {
      pools.add(pool(names[2], edenBytes(), 0, edenMax()));
      pools.add(pool(names[3], survivorBytes(), survivorBytes(), survivorMax()));
      pools.add(pool(names[4], oldBefore, oldAfter, oldMax()));
    }
    sink.accept(
        event(
            names[0],
            gc == Gc.ZGC_GENERATIONAL ? "end of GC cycle" : "end of minor GC",
            gc == Gc.G1 ? "G1 Evacuation Pause" : "Allocation Failure",
            0,
            pools));
  }

  private void oldCollection(double liveNow, Consumer<GcEvent> sink) {
    String[] names = names();
    double garbageBefore = oldGarbage;
    oldGarbage = 0;
    switch (gc) {
      case G1 -> {
        // Remark and cleanup: eden mid-fill, nothing collected yet; then two mixed collections.
        sink.accept(
            event(
                "G1 Concurrent GC",
                "end of concurrent GC pause",
                "No GC",
                0.1,
                List.of(
                    pool(names[2], edenBytes() / 2, edenBytes() / 2, -1),
                    pool(names[4], oldAfter, oldAfter, max))));
        // Evacuating old regions always leaves the old generation smaller than it was.
        double before = oldAfter;
        oldAfter = Math.min(noisy(liveNow + 0.4 * garbageBefore), before - 0.001 * max);
        sink.accept(
            event(
                names[0],
                "end of minor GC",
                "G1 Evacuation Pause",
                0.2,
                List.of(
                    pool(names[2], edenBytes(), 0, -1),
                    pool(names[3], survivorBytes(), survivorBytes(), -1),
                    pool(names[4], before, oldAfter, max))));
        before = oldAfter;
        oldAfter = Math.min(noisy(liveNow), before - 0.001 * max);
        sink.accept(
            event(
                names[0],
                "end of minor GC",
                "G1 Evacuation Pause",
                0.4,
                List.of(
                    pool(names[2], edenBytes(), 0, -1),
                    pool(names[3], survivorBytes(), survivorBytes(), -1),
                    pool(names[4], before, oldAfter, max))));
      }
      case ZGC_GENERATIONAL -> {
        double before = oldAfter;
        oldAfter = noisy(liveNow);
        sink.accept(
            event(
                "ZGC Major Pauses",
                "end of GC pause",
                "Proactive",
                0.1,
                List.of(
                    pool(names[3], edenBytes(), edenBytes(), max),
                    pool(names[4], before, before, max))));
        sink.accept(
            event(
                "ZGC Major Cycles",
                "end of GC cycle",
                "Proactive",
                0.4,
                List.of(
                    pool(names[3], edenBytes(), survivorBytes(), max),
                    pool(names[4], before, oldAfter, max))));
      }
      default -> {
        double before = oldAfter;
        oldAfter = noisy(liveNow);
        sink.accept(
            event(
                names[1],
                "end of major GC",
                "Ergonomics",
                0.2,
                List.of(
                    pool(names[2], edenBytes(), 0, edenMax()),
                    pool(names[3], survivorBytes(), 0, survivorMax()),
                    pool(names[4], before, oldAfter, oldMax()))));
      }
    }
  }

  // Every cycle of a single-generation ZGC collects the whole heap; what is left is the live set
  // plus what was allocated while the cycle ran. Its pause bean reports the heap as it stood.
  private void zgcCycle(double liveNow, Consumer<GcEvent> sink) {
    String cycles = gc == Gc.ZGC ? "ZGC Cycles" : "ZGC";
    String action = gc == Gc.ZGC ? "end of GC cycle" : "end of major GC";
    double floating = 0.02 * max * random.nextDouble();
    double after = noisy(liveNow + floating);
    double before = Math.min(max, after + 0.3 * max);
    if (gc == Gc.ZGC) {
      sink.accept(
          event(
              "ZGC Pauses",
              "end of GC pause",
              "Allocation Rate",
              0,
              List.of(pool("ZHeap", before, before, max))));
    }
    sink.accept(
        event(cycles, action, "Allocation Rate", 0.3, List.of(pool("ZHeap", before, after, max))));
  }

  // collector for young, collector for old, then eden, survivor, old pool names
  private String[] names() {
    return switch (gc) {
      case G1 ->
          new String[] {
            "G1 Young Generation",
            "G1 Old Generation",
            "G1 Eden Space",
            "G1 Survivor Space",
            "G1 Old Gen"
          };
      case PARALLEL ->
          new String[] {
            "PS Scavenge", "PS MarkSweep", "PS Eden Space", "PS Survivor Space", "PS Old Gen"
          };
      case SERIAL ->
          new String[] {"Copy", "MarkSweepCompact", "Eden Space", "Survivor Space", "Tenured Gen"};
      case ZGC_GENERATIONAL ->
          new String[] {
            "ZGC Minor Cycles", "ZGC Major Cycles", "", "ZGC Young Generation", "ZGC Old Generation"
          };
      default -> throw new IllegalStateException("single-generation ZGC has no pools by age");
    };
  }

  private double noisy(double bytes) {
    return jitter == 0 ? bytes : bytes * (1 + jitter * (2 * random.nextDouble() - 1));
  }

  private long edenBytes() {
    return gc == Gc.PARALLEL || gc == Gc.SERIAL ? max / 4 : max / 10;
  }

  private long survivorBytes() {
    return max / 100;
  }

  private long oldCapacity() {
    return max - max / 4 - 2 * (max / 24);
  }

  // G1 reports no maximum for eden and survivors; Parallel and Serial have fixed generations.
  private long edenMax() {
    return gc == Gc.G1 ? -1 : max / 4;
  }

  private long survivorMax() {
    return gc == Gc.G1 ? -1 : max / 24;
  }

  private long oldMax() {
    return gc == Gc.G1 ? max : oldCapacity();
  }

  private GcEvent event(
      String collector, String action, String cause, double afterSeconds, List<PoolUsage> pools) {
    long start = Math.round((now + afterSeconds * youngEvery) * 1000);
    return new GcEvent(
        collector, action, cause, start, gc.name().startsWith("ZGC") ? 200 : 5, pools);
  }

  private static PoolUsage pool(String name, double before, double after, long max) {
    return new PoolUsage(name, (long) before, (long) after, (long) Math.max(after, before), max);
  }
}
