package io.memwatch.agent.jfr;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * What each live thread had allocated when the sampler started. Those bytes are counted at once, under
 * a site of their own (a thread that allocates nothing more would never carry them in a sample). The
 * JVM's sampler weighs a thread's first sample with every byte the thread allocated since it started,
 * those from before the sampler included: that part is taken off the first sample, or it would be
 * counted twice, and blamed on the one site the sample happened to hit.
 *
 * <p>Only shrinks after the start, as each thread's first sample takes its figure; used on the
 * sampler's thread only.
 */
final class ThreadsBeforeStart {
  private final Map<Long, Long> allocated = new HashMap<>();

  /**
   * Notes the live threads' allocated bytes now and returns their sum; nothing where the JVM cannot
   * tell (no {@code jdk.management}).
   */
  long record() {
    long sum = 0;
    try {
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = threads.getAllThreadIds();
      long[] bytes = threads.getThreadAllocatedBytes(ids);
      for (int i = 0; i < ids.length; i++) {
        if (bytes[i] > 0) {
          allocated.put(ids[i], bytes[i]);
          sum += bytes[i];
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // Without the figures every first sample keeps its whole weight where it lands.
    }
    return sum;
  }

  /** The bytes thread {@code threadId} had allocated before the start, the first time it is asked; 0 after. */
  long takeBytes(long threadId) {
    Long bytes = allocated.remove(threadId);
    return bytes == null ? 0 : bytes;
  }
}
