package io.memwatch.collector.log;

import java.util.ArrayDeque;
import java.util.List;

/** The last few lines memwatch printed, with when: the live page shows what memwatch said. */
public final class RecentLines {
  /** A line as printed, without the {@code memwatch: } prefix. */
  public record Line(long epochMillis, String text) {}

  private final int capacity;
  private final ArrayDeque<Line> lines;

  public RecentLines(int capacity) {
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(capacity);
  }

  synchronized void add(String text) {
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(new Line(System.currentTimeMillis(), text));
  }

  /** Oldest first. */
  public synchronized List<Line> lines() {
    return List.copyOf(lines);
  }
}
