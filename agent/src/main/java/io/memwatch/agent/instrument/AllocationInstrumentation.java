package io.memwatch.agent.instrument;

import io.memwatch.agent.hook.AllocationHook;
import io.memwatch.agent.owncode.UserCode;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.sites.SiteRegistry;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole allocation-site instrumentation: arm the hook; instrument the user's classes as they
 * load; retransform those that were loaded before (after an attach, or during {@code premain});
 * count what could not be instrumented and leave it as it was.
 *
 * <p>A plain {@code ClassFileTransformer} rather than Byte Buddy's {@code AgentBuilder}: it costs
 * nothing to put in place before {@code main}, and a class that is not the user's is turned away by
 * its name, without its bytes ever being parsed.
 */
public final class AllocationInstrumentation implements AutoCloseable {
  /** Classes are retransformed in batches: one class that fails must not keep the others from it. */
  private static final int BATCH = 50;

  private final Instrumentation instrumentation;
  private final AllocationSiteTransformer transformer;
  private final HookedClasses hooked;

  private AllocationInstrumentation(Instrumentation instrumentation, AllocationSiteTransformer transformer,
      HookedClasses hooked) {
    this.instrumentation = instrumentation;
    this.transformer = transformer;
    this.hooked = hooked;
  }

  /**
   * Call only after {@link BootstrapInjector#inject}. The instrumented classes call the hook's
   * disarmed fast path until {@link #arm}.
   */
  public static AllocationInstrumentation install(Instrumentation instrumentation, SiteRegistry sites,
      InstrumentationCounts counts, HookedClasses hooked, UserCode userCode) {
    AllocationSiteTransformer transformer = new AllocationSiteTransformer(
        instrumentation, userCode, new AllocationSiteRewriter(sites), hooked, counts);
    instrumentation.addTransformer(transformer, true);
    AllocationInstrumentation installed = new AllocationInstrumentation(instrumentation, transformer, hooked);
    installed.retransformLoaded(counts);
    return installed;
  }

  /** Samples from now on, one per {@code sampleBytes} on average, into {@code queues}. Call only after {@link BootstrapInjector#inject}. */
  public static void arm(Instrumentation instrumentation, EventQueues queues, long sampleBytes) {
    AllocationHook.arm(new QueueingSink(queues, instrumentation), sampleBytes);
  }

  private void retransformLoaded(InstrumentationCounts counts) {
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      if (!type.isArray() && !type.isPrimitive() && !type.isHidden()
          && transformer.selects(type.getName(), type.getClassLoader(), type.getModule())
          && instrumentation.isModifiableClass(type)) {
        loaded.add(type);
      }
    }
    int failed = 0;
    for (int from = 0; from < loaded.size(); from += BATCH) {
      List<Class<?>> batch = loaded.subList(from, Math.min(loaded.size(), from + BATCH));
      try {
        instrumentation.retransformClasses(batch.toArray(new Class<?>[0]));
      } catch (Throwable t) {
        failed += retransformOneByOne(batch, counts);
      }
    }
    if (!loaded.isEmpty()) {
      Log.debug("retransformed " + loaded.size() + " classes loaded before memwatch; " + failed + " failed");
    }
  }

  private int retransformOneByOne(List<Class<?>> batch, InstrumentationCounts counts) {
    int failed = 0;
    for (Class<?> type : batch) {
      try {
        instrumentation.retransformClasses(type);
      } catch (Throwable t) {
        failed++;
        counts.error();
        hooked.remove(type.getName()); // it keeps its old code: the sampler owns its bytes
        Log.debug("could not retransform " + type.getName(), t);
      }
    }
    return failed;
  }

  /** Stops sampling and instrumenting; instrumented classes go on calling the hook's disarmed fast path. */
  @Override
  public void close() {
    AllocationHook.disarm();
    instrumentation.removeTransformer(transformer);
  }
}
