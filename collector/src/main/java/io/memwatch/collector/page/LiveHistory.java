package io.memwatch.collector.page;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code capacity} readings of a fixed set of figures, oldest first: what the live page
 * draws. A ring of primitive arrays, so its memory is fixed however long the JVM runs.
 */
final class LiveHistory {
  private final List<String> names;
  private final long[] times;
  private final double[][] values;
  private int next;
  private int size;

  LiveHistory(List<String> names, int capacity) {
    this.names = List.copyOf(names);
    this.times = new long[capacity];
    this.values = new double[names.size()][capacity];
  }

  /** One reading of every figure, in the order of the names; NaN where one is unknown. */
  synchronized void add(long epochMillis, double... figures) {
    if (figures.length != names.size()) {
      throw new IllegalArgumentException("expected " + names.size() + " figures, got " + figures.length);
    }
    times[next] = epochMillis;
    for (int i = 0; i < figures.length; i++) {
      values[i][next] = figures[i];
    }
    next = (next + 1) % times.length;
    size = Math.min(size + 1, times.length);
  }

  synchronized int size() {
    return size;
  }

  /** {@code t} (epoch seconds) and one list per figure, oldest first; unknown figures are null. */
  synchronized Map<String, Object> columns() {
    Map<String, Object> columns = new LinkedHashMap<>();
    int first = (next - size + times.length) % times.length;
    List<Double> t = new ArrayList<>(size);
    for (int k = 0; k < size; k++) {
      t.add(times[(first + k) % times.length] / 1000.0);
    }
    columns.put("t", t);
    for (int i = 0; i < names.size(); i++) {
      List<Double> column = new ArrayList<>(size);
      for (int k = 0; k < size; k++) {
        column.add(knownOrNull(values[i][(first + k) % times.length]));
      }
      columns.put(names.get(i), column);
    }
    return columns;
  }

  static Double knownOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
