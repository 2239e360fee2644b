package io.memwatch.collector.sites;

/** How a site's kept bytes spread over the stages of the time they were allocated in. */
public final class Retention {
  /** Allocation time is split into this many stages. */
  public static final int STAGES = 6;

  private Retention() {}

  /**
   * Kept something from every stage but one, each time at least a quarter of its average stage: a
   * batch's temporaries, a warm-up that ended or a cache's recent entries fill only some stages.
   */
  public static boolean isSteady(long[] stages) {
    if (stages == null) {
      return false;
    }
    long kept = 0;
    for (long bytes : stages) {
      kept += bytes;
    }
    double quarterOfAverage = kept / (4.0 * stages.length);
    int filled = 0;
    for (long bytes : stages) {
      if (bytes > 0 && bytes >= quarterOfAverage) {
        filled++;
      }
    }
    return filled >= stages.length - 1;
  }
}
