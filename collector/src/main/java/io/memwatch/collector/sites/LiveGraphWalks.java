package io.memwatch.collector.sites;

/**
 * Walks of the live graph by the JVM's leak profiler ({@link OldObjects}), as the leak rule asks for
 * them. The profiler only samples objects allocated while it runs, so a walk says nothing of what
 * was allocated before it started.
 */
@FunctionalInterface
public interface LiveGraphWalks {
  /** No profiler: no walk, ever. */
  LiveGraphWalks NONE = () -> LiveGraphWalk.NONE;

  /** A walk made now, or a recent one ({@link LiveGraphWalk#NONE} while the profiler does not run). */
  LiveGraphWalk recent();

  /**
   * JVM uptime since which the profiler has sampled the objects its walks look at; {@link
   * Long#MAX_VALUE} while it has not started but can; negative where it never will, or where that
   * is not known.
   */
  default long sampledSinceMillis() {
    return -1;
  }
}
