package io.memwatch.benchmarks.workload;

import com.google.monitoring.runtime.instrumentation.AllocationRecorder;
import com.google.monitoring.runtime.instrumentation.Sampler;

/**
 * A trivial {@link Sampler} for google's allocation-instrumenter: counts allocations and bytes, the
 * least a sampler can do that still uses what it is given. Without one registered that agent
 * instruments every allocation but records nothing, which would flatter it; with one it does the
 * per-allocation work it exists for.
 *
 * <p>Loaded only when asked for: the instrumenter's classes come from its -javaagent jar, which
 * puts them on the boot class path.
 */
final class InstrumenterSampler implements Sampler {
  private static volatile InstrumenterSampler registered;
  // Plain fields: racy increments may drop counts under contention, as a cheap sampler would.
  private long allocations;
  private long bytes;

  private InstrumenterSampler() {}

  static void register() {
    InstrumenterSampler sampler = new InstrumenterSampler();
    AllocationRecorder.addSampler(sampler);
    registered = sampler;
  }

  static String summary() {
    InstrumenterSampler sampler = registered;
    return sampler.allocations + " allocations, " + sampler.bytes + " bytes";
  }

  @Override
  public void sampleAllocation(int count, String desc, Object newObj, long size) {
    allocations++;
    bytes += size;
  }
}
