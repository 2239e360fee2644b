package io.memwatch.collector.memory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.function.Supplier;

/**
 * Takes a {@link MemorySnapshot} on the collector's period.
 *
 * <p>Sampling all figures at once, rather than each gauge reading its own source at scrape time,
 * keeps them consistent with each other (heapUsed never above a heapTotal read a moment earlier)
 * and keeps the cost of a scrape constant.
 */
public final class MemorySampler implements Supplier<MemorySnapshot> {
  private final ProcStatus procStatus;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<BufferPoolMXBean> bufferPools =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
  private volatile MemorySnapshot latest = MemorySnapshot.UNKNOWN;

  public MemorySampler(ProcStatus procStatus) {
    this.procStatus = procStatus;
  }

  /** Reads every figure now and keeps the result for {@link #get()}. */
  public MemorySnapshot sample() {
    MemoryUsage heap = memory.getHeapMemoryUsage();
    MemorySnapshot snapshot =
        new MemorySnapshot(
            procStatus.residentSetBytes().orElse(-1),
            heap.getCommitted(),
            heap.getUsed(),
            heap.getMax(),
            external());
    latest = snapshot;
    return snapshot;
  }

  /** The latest snapshot; {@link MemorySnapshot#UNKNOWN} before the first sample. */
  @Override
  public MemorySnapshot get() {
    return latest;
  }

  // "direct", "mapped" and, since Java 14, "mapped - 'non-volatile memory'": every pool is external.
  private long external() {
    long total = 0;
    for (BufferPoolMXBean pool : bufferPools) {
      total += Math.max(0, pool.getMemoryUsed());
    }
    return total;
  }
}
