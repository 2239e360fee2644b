package io.memwatch.agent.hook;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The code injected at every allocation site calls one of these static methods. This class is put
 * on the bootstrap class path so every class loader sees the same one.
 *
 * <p>Sampling is by bytes: each thread stripe counts down a random number of bytes (exponential,
 * mean {@code sampleBytes}) and the allocation that takes it to zero is sampled. That makes the
 * chance of sampling an allocation of {@code s} bytes {@code 1 - exp(-s / mean)}, so small and
 * large allocations are weighed fairly and periodic allocation patterns cannot alias with the
 * interval.
 *
 * <p>The fast path, taken by every allocation with no sample due, is a few instructions: no lock,
 * no allocation, no volatile access, nothing that can throw.
 */
public final class AllocationHook {
  /** Countdowns are kept per stripe of threads; a power of two so a mask picks the stripe. */
  private static final int STRIPES = 1024;
  /** 16 longs = 128 bytes between two stripes' countdowns: two threads never share a cache line. */
  private static final int PAD = 16;
  /** A countdown that never reaches zero in practice: how the hook is disarmed. */
  private static final long DISARMED = Long.MAX_VALUE;
  /** Size of an array's header with compressed class pointers; alignment padding is ignored. */
  private static final int ARRAY_HEADER = 16;

  private static final long[] COUNTDOWN = new long[STRIPES * PAD];
  private static volatile AllocationSink sink;
  private static volatile double meanBytes = 512 * 1024;

  static {
    Arrays.fill(COUNTDOWN, DISARMED);
  }

  private AllocationHook() {}

  /** After the constructor of a {@code new} returned: {@code bytes} is the class's size estimate. */
  public static void object(Object allocated, int bytes, int site) {
    int slot = slot();
    // Plain read and write: two threads of one stripe may lose an update, which only shifts the
    // next sample a little; an atomic here would cost every allocation in the host.
    long left = COUNTDOWN[slot] - bytes;
    COUNTDOWN[slot] = left;
    if (left <= 0) {
      sample(allocated, bytes, site, slot);
    }
  }

  /** After {@code newarray}/{@code anewarray}: the length is read from the new array. */
  public static void array(Object allocated, int length, int elementBytes, int site) {
    long bytes = ARRAY_HEADER + (long) length * elementBytes;
    int slot = slot();
    long left = COUNTDOWN[slot] - bytes;
    COUNTDOWN[slot] = left;
    if (left <= 0) {
      sample(allocated, bytes, site, slot);
    }
  }

  /** After {@code multianewarray}: rare enough to measure the new arrays here. */
  public static void multiArray(Object allocated, int site) {
    long bytes = MultiArrays.estimateBytes(allocated, ARRAY_HEADER);
    int slot = slot();
    long left = COUNTDOWN[slot] - bytes;
    COUNTDOWN[slot] = left;
    if (left <= 0) {
      sample(allocated, bytes, site, slot);
    }
  }

  private static int slot() {
    return ((int) Thread.currentThread().getId() & (STRIPES - 1)) * PAD;
  }

  private static void sample(Object allocated, long bytes, int site, int slot) {
    // Disarmed while the sink runs: whatever it allocates on this stripe takes the fast path,
    // so it can never recurse into itself.
    COUNTDOWN[slot] = DISARMED;
    AllocationSink current = sink;
    try {
      if (current != null) {
        current.sampled(allocated, site, bytes);
      }
    } catch (Throwable ignored) {
      // Nothing the agent does may reach the host's code.
    } finally {
      COUNTDOWN[slot] = current == null ? DISARMED : nextInterval();
    }
  }

  /** An exponentially distributed number of bytes with the configured mean, at least 1. */
  static long nextInterval() {
    double u = ThreadLocalRandom.current().nextDouble(); // [0, 1): 1 - u is never 0
    return 1 + (long) (-Math.log(1 - u) * meanBytes);
  }

  /** Starts sampling into {@code target}, about once per {@code sampleBytes} allocated on a thread. */
  public static synchronized void arm(AllocationSink target, long sampleBytes) {
    meanBytes = sampleBytes;
    sink = target;
    for (int i = 0; i < COUNTDOWN.length; i += PAD) {
      COUNTDOWN[i] = nextInterval();
    }
  }

  /** Stops sampling; instrumented code goes on calling the fast path, which then never samples. */
  public static synchronized void disarm() {
    sink = null;
    Arrays.fill(COUNTDOWN, DISARMED);
  }

  /** The mean sampling interval, for turning a sample into an unbiased byte estimate. */
  public static double meanBytes() {
    return meanBytes;
  }
}
