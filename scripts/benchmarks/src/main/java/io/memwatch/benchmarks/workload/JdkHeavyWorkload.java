package io.memwatch.benchmarks.workload;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A program whose bytes are almost all allocated inside the JDK, for which bytecode hooks in the
 * program's own code see next to nothing: StringBuilder growth, {@code String.format}, boxing,
 * ArrayList and HashMap growth, {@code String.split} and {@code String.join}. A fixed amount of work
 * on {@code workload.threads} threads (default 2), {@code workload.batches} batches (default 10000); prints
 * the same result line as {@link JsonAndCollectionsWorkload}, with {@code -Dworkload.coverage=true}
 * how much of what the JVM allocated memwatch counted, and with {@code -Dworkload.threadCpu=true} the
 * CPU time of each thread.
 */
public final class JdkHeavyWorkload {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final LongAdder allocatedBytes = new LongAdder();
  private volatile long secondHalfStart;
  private long jvmAllocatedBytes;
  private Map<String, Long> threadCpu;

  public static void main(String[] args) throws Exception {
    int batches = Integer.getInteger("workload.batches", 10000);
    int threads = Integer.getInteger("workload.threads", 2);
    long start = System.nanoTime();
    JdkHeavyWorkload workload = new JdkHeavyWorkload();
    long checksum = workload.run(batches, threads);
    long end = System.nanoTime();
    long gcCount = 0;
    long gcMs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMs += Math.max(0, gc.getCollectionTime());
    }
    long cpuMs = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime() / 1_000_000;
    System.out.printf("workload: elapsedMs=%d secondHalfMs=%d checksum=%016x vmHwmKiB=%d cpuMs=%d allocatedMiB=%d"
            + " gcCount=%d gcMs=%d batches=%d threads=%d%n",
        (end - start) / 1_000_000, (end - workload.secondHalfStart) / 1_000_000, checksum,
        JsonAndCollectionsWorkload.peakRssKiB(), cpuMs, workload.allocatedBytes.sum() >> 20, gcCount, gcMs, batches, threads);
    if (Coverage.wanted()) {
      System.err.println(Coverage.report(workload.jvmAllocatedBytes));
    }
    if (LiveHeap.wanted()) {
      System.err.println(LiveHeap.report());
    }
    if (workload.threadCpu != null) {
      System.err.println("workload: CPU ms by thread at the end of the work, the JVM's own included: " + workload.threadCpu);
    }
  }

  private long run(int batches, int threads) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
          long sum = 0;
          for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
            if (b == batches / 2) {
              secondHalfStart = System.nanoTime();
            }
            sum += batch(b);
          }
          allocatedBytes.add(THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore);
          return sum;
        }));
      }
      long total = 0;
      for (Future<Long> worker : workers) {
        total += worker.get();
      }
      if (Boolean.getBoolean("workload.threadCpu")) {
        threadCpu = JsonAndCollectionsWorkload.cpuByThread(); // while the workers are alive to be counted
      }
      if (Coverage.wanted()) {
        jvmAllocatedBytes = Coverage.jvmAllocatedBytes(); // likewise
      }
      return total;
    } finally {
      pool.shutdown();
    }
  }

  /** One batch: a report built the way much everyday Java builds text and tallies. */
  static long batch(int index) {
    StringBuilder report = new StringBuilder();
    List<Long> amounts = new ArrayList<>();
    Map<String, Integer> byKey = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      long amount = (index * 1000L + i) % 9973;
      amounts.add(amount);
      String key = String.format("%s-%04d", i % 2 == 0 ? "even" : "odd", i % 250);
      byKey.merge(key, 1, Integer::sum);
      report.append(key).append('=').append(amount).append(';');
    }
    long sum = 0;
    for (String field : report.toString().split(";")) {
      sum += field.length();
    }
    sum += String.join(",", byKey.keySet()).length();
    for (Long amount : amounts) {
      sum += amount;
    }
    return sum * 31 + byKey.size();
  }
}
