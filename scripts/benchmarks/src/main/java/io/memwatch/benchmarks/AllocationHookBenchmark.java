package io.memwatch.benchmarks;

import io.memwatch.agent.hook.AllocationHook;
import io.memwatch.agent.hook.AllocationSink;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of what memwatch injects after an allocation, measured against the bare allocation.
 *
 * <p>Each {@code hooked*} method is its {@code baseline*} twin plus exactly the call the bytecode
 * visitor inserts: {@code AllocationHook.object(ref, estimatedSize, site)} after a constructor,
 * {@code AllocationHook.array(ref, ref.length, elementBytes, site)} after {@code newarray}. The
 * difference hooked minus baseline is the fast path's price per allocation.
 *
 * <ul>
 *   <li>{@link Armed}: the hook is armed as the agent arms it, with a sink that only counts and a
 *       mean interval of 512 KiB, so about one call in 21,000 (24-byte objects) takes the slow
 *       path: the real mix, dominated by the fast path.
 *   <li>{@link Disarmed}: the hook as it is before the agent starts or after it stops; the
 *       countdown never reaches zero, so every call is the fast path.
 *   <li>{@code *NotEscaping}: the object never leaves the method, so without the hook the JIT can
 *       scalar-replace it (no allocation at all). This shows what handing the fresh reference to
 *       the hook does to escape analysis.
 * </ul>
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} (bytes per operation) tells whether the
 * hook allocates, or makes the JIT allocate something it would have optimized away.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class AllocationHookBenchmark {
  /** What the agent's size estimate says for {@link Payload}: 12-byte header, an int, a long. */
  private static final int PAYLOAD_BYTES = 24;
  private static final int SITE = 1;

  /** A small object, the most common kind of allocation in Java code. */
  public static final class Payload {
    int id;
    long value;
  }

  /** The hook armed as the agent does it, sampling into a sink that counts. */
  @State(Scope.Benchmark)
  public static class Armed {
    final CountingSink sink = new CountingSink();

    @Setup(Level.Trial)
    public void arm() {
      AllocationHook.arm(sink, 512 * 1024);
    }

    @TearDown(Level.Trial)
    public void disarm() {
      AllocationHook.disarm();
      if (sink.samples == 0) {
        throw new IllegalStateException("the armed hook never sampled: the slow path was not exercised");
      }
    }
  }

  /** The hook disarmed: every call takes the fast path and nothing is ever sampled. */
  @State(Scope.Benchmark)
  public static class Disarmed {
    @Setup(Level.Trial)
    public void disarm() {
      AllocationHook.disarm();
    }
  }

  /** Does as little as a sink can: counts, so the sampled object is used and cannot be discarded. */
  static final class CountingSink implements AllocationSink {
    volatile long samples;
    long bytes;

    @Override
    public void sampled(Object allocated, int site, long estimatedBytes) {
      bytes += estimatedBytes;
      samples++;
    }
  }

  private int counter;

  // ---- new Payload() ----

  @Benchmark
  public Payload baselineObject() {
    return new Payload();
  }

  @Benchmark
  public Payload hookedObject(Armed armed) {
    Payload p = new Payload();
    AllocationHook.object(p, PAYLOAD_BYTES, SITE);
    return p;
  }

  @Benchmark
  public Payload hookedObjectDisarmed(Disarmed disarmed) {
    Payload p = new Payload();
    AllocationHook.object(p, PAYLOAD_BYTES, SITE);
    return p;
  }

  // ---- new byte[64] ----

  @Benchmark
  public byte[] baselineArray() {
    return new byte[64];
  }

  @Benchmark
  public byte[] hookedArray(Armed armed) {
    byte[] a = new byte[64];
    AllocationHook.array(a, a.length, 1, SITE);
    return a;
  }

  @Benchmark
  public byte[] hookedArrayDisarmed(Disarmed disarmed) {
    byte[] a = new byte[64];
    AllocationHook.array(a, a.length, 1, SITE);
    return a;
  }

  // ---- a temporary that never escapes: escape analysis can remove the allocation ----

  @Benchmark
  public long baselineObjectNotEscaping() {
    Payload p = new Payload();
    p.id = counter++;
    p.value = p.id * 31L;
    return p.value + p.id;
  }

  @Benchmark
  public long hookedObjectNotEscaping(Armed armed) {
    Payload p = new Payload();
    AllocationHook.object(p, PAYLOAD_BYTES, SITE);
    p.id = counter++;
    p.value = p.id * 31L;
    return p.value + p.id;
  }
}
