package io.memwatch.collector.leak;

import io.memwatch.collector.events.GcEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Feeds a detector and remembers every time its verdict turned on or off. */
final class VerdictRecorder implements Consumer<GcEvent> {
  final LeakDetector detector;
  final List<LeakVerdict> changes = new ArrayList<>();

  VerdictRecorder(LeakDetector detector) {
    this.detector = detector;
    detector.onChange(changes::add);
  }

  static VerdictRecorder withDefaults() {
    return new VerdictRecorder(new LeakDetector(LeakSettings.defaults()));
  }

  @Override
  public void accept(GcEvent event) {
    detector.accept(event);
  }

  /** Seconds of uptime when a leak was first suspected, NaN if never. */
  double firstSuspectedAt() {
    return changes.stream()
        .filter(LeakVerdict::suspected)
        .mapToDouble(v -> v.atMillis() / 1000.0)
        .findFirst()
        .orElse(Double.NaN);
  }

  /** Seconds of uptime when the suspicion was last lifted, NaN if never. */
  double lastClearedAt() {
    return changes.stream()
        .filter(v -> !v.suspected())
        .mapToDouble(v -> v.atMillis() / 1000.0)
        .reduce((a, b) -> b)
        .orElse(Double.NaN);
  }

  long onsets() {
    return changes.stream().filter(LeakVerdict::suspected).count();
  }

  LeakVerdict verdict() {
    return detector.verdict();
  }
}
