package io.memwatch.collector.leak;

import java.util.ArrayList;
import java.util.List;

/**
 * One window the live set's trend is judged over.
 *
 * @param millis its length
 * @param floorsOnly whether it sees only readings of collections that reclaimed the old generation
 *     ({@link LiveSample.Kind#FLOOR}); otherwise it sees every reading's per-bucket minimum, young
 *     collections' upper bounds included
 * @param riseFraction growth it needs before it suspects a leak, as a fraction of the heap's max
 */
record TrendWindow(long millis, boolean floorsOnly, double riseFraction) {
  /** The longest windows reach this many long windows back. */
  static final int SPARSE_REACH = 4;

  double seconds() {
    return millis / 1000.0;
  }

  /**
   * The short window, then windows doubling in length up to the long one, then two and four long
   * windows.
   *
   * <p>The short window sees every reading, because a fast leak can fill the heap before the old
   * generation is collected even once. Young collections' readings enter it less the garbage the
   * heap has shown it piles up ({@link SawTooth}), so a healthy saw-tooth reads flat once its first
   * tooth has dropped; before that, nothing tells promoted garbage from a leak, which is why this
   * window asks for steep growth (by default 10% of the heap within 60 s: a heap that would fill in
   * ten minutes). Longer windows see only floors: over minutes, young collections' readings climb
   * with promoted garbage, and only collections of the old generation can tell that apart from a
   * leak. Their bar falls geometrically with their length, from the short window's to the long
   * window's (by default 0.4% of the heap in 30 min), so that each window catches the leaks that
   * would exhaust the heap in a time proportionate to it, and a leak that began recently, after a
   * long healthy stretch, is judged by a window about its age.
   *
   * <p>A trend needs {@value GrowthBar#MIN_POINTS} floors. A heap whose old generation is collected
   * less often than that within the long window (a large Parallel heap with a full collection every
   * five minutes) is judged over two and four long windows instead, at the long window's bar.
   */
  static List<TrendWindow> ladder(LeakSettings settings) {
    long shortMillis = settings.shortWindow().toMillis();
    long longMillis = settings.longWindow().toMillis();
    List<TrendWindow> windows = new ArrayList<>();
    windows.add(new TrendWindow(shortMillis, false, settings.fastRiseFraction()));
    double steps = Math.log((double) longMillis / shortMillis);
    double ratio = settings.slowRiseFraction() / settings.fastRiseFraction();
    for (long millis = 2 * shortMillis; millis < longMillis; millis *= 2) {
      double position = Math.log((double) millis / shortMillis) / steps;
      windows.add(
          new TrendWindow(millis, true, settings.fastRiseFraction() * Math.pow(ratio, position)));
    }
    for (int reach = 1; reach <= SPARSE_REACH; reach *= 2) {
      windows.add(new TrendWindow(reach * longMillis, true, settings.slowRiseFraction()));
    }
    return List.copyOf(windows);
  }
}
