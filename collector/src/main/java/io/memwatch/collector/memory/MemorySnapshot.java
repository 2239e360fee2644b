package io.memwatch.collector.memory;

/**
 * The process's memory at one instant, in the shape of Node.js's {@code process.memoryUsage()}.
 * Figures that could not be read are -1.
 *
 * @param rss resident set size of the whole process
 * @param heapTotal heap committed
 * @param heapUsed heap in use
 * @param heapMax the most the heap may grow to
 * @param external direct and mapped buffers: memory outside the heap held for Java objects
 */
public record MemorySnapshot(long rss, long heapTotal, long heapUsed, long heapMax, long external) {
  public static final MemorySnapshot UNKNOWN = new MemorySnapshot(-1, -1, -1, -1, -1);
}
