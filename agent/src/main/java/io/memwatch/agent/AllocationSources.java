package io.memwatch.agent;

import io.memwatch.agent.instrument.AllocationInstrumentation;
import io.memwatch.agent.instrument.BootstrapInjector;
import io.memwatch.agent.instrument.HookedClasses;
import io.memwatch.agent.jfr.JfrAllocationSampler;
import io.memwatch.agent.jfr.JfrSupport;
import io.memwatch.agent.options.Options;
import io.memwatch.agent.owncode.LaunchFacts;
import io.memwatch.agent.owncode.OwnCode;
import io.memwatch.agent.owncode.OwnCodeDetector;
import io.memwatch.agent.owncode.UserCode;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.sites.OldObjects;
import io.memwatch.collector.sites.SiteRegistry;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * The two sources of allocation samples, side by side, and who owns which bytes:
 * <ul>
 *   <li>the hooks, bytecode injected into the user's own classes: every {@code new} there, sampled
 *       by bytes, the objects followed for liveness;
 *   <li>the JVM's own sampler (JFR's {@code jdk.ObjectAllocationSample}): everything else, the JDK's
 *       and libraries' allocations, each named after the first frame of the user's code that led to it.
 * </ul>
 * Both use one definition of the user's code ({@link UserCode}): {@code include}, by default the
 * application's own packages. An allocation the sampler sees in a hooked class is left to the hooks.
 */
final class AllocationSources {
  /** What stands for "every class outside the JDK" in a glob. */
  static final List<String> EVERYTHING = List.of("**");

  private final Options options;
  private final Instrumentation instrumentation;
  private final SiteRegistry sites;
  private final InstrumentationCounts counts;
  private final HookedClasses hooked = new HookedClasses();
  private final boolean jfr;
  private UserCode userCode;
  private volatile boolean instrumented;

  AllocationSources(Options options, Instrumentation instrumentation, SiteRegistry sites, InstrumentationCounts counts) {
    this.options = options;
    this.instrumentation = instrumentation;
    this.sites = sites;
    this.counts = counts;
    this.jfr = options.jfr() && jfrPresent();
  }

  /**
   * Made when first needed: by the hooks in {@code premain}, else by the sampler on memwatch's own
   * thread, so that with the sampler alone the application's jar is read after the host's start,
   * not before it.
   */
  private synchronized UserCode userCode() {
    if (userCode == null) {
      userCode = new UserCode(include(), options.exclude());
    }
    return userCode;
  }

  private boolean jfrPresent() {
    if (JfrSupport.present()) {
      return true;
    }
    Log.warn("the JVM's allocation sampler is missing (no jdk.jfr module in this runtime); allocation sites "
        + "come from the hooks in your own code only, so bytes allocated inside the JDK and libraries are not counted");
    return false;
  }

  /** {@code include} as given, else the application's own packages, else (nothing found) a fallback. */
  private List<String> include() {
    if (!options.include().isEmpty()) {
      return options.include();
    }
    long start = System.nanoTime();
    OwnCode own = OwnCodeDetector.detect(LaunchFacts.ofThisJvm());
    if (own.isKnown()) {
      if (Log.debugging()) {
        Log.debug("your own code, found in " + own.from() + " after " + (System.nanoTime() - start) / 1_000_000
            + " ms: " + String.join(";", own.packages().stream().map(p -> p.isEmpty() ? "(default package)" : p).toList()));
      }
      return own.packages();
    }
    // Without the sampler, hooks everywhere are the only way to see allocations at all.
    String fallback = jfr ? "sites are named after the first frame outside the JDK"
        : "every class outside the JDK is instrumented";
    Log.warn("cannot tell your own code from libraries: " + own.problem() + "; " + fallback
        + ". Set include=com.example.* (your packages) to name sites in your code");
    return jfr ? List.of() : EVERYTHING;
  }

  boolean hooks() {
    return options.hooks();
  }

  /**
   * Puts the hooks in place: in {@code premain} so classes are instrumented as they load, never
   * retransformed. They count nothing until {@link #armHooks} gives them somewhere to report to.
   */
  void instrument() {
    try {
      long start = System.nanoTime();
      BootstrapInjector.keepByteBuddyOffUnsafe();
      BootstrapInjector.inject(instrumentation);
      AllocationInstrumentation.install(instrumentation, sites, counts, hooked, userCode());
      instrumented = true;
      Log.debug("allocation instrumentation in place after " + (System.nanoTime() - start) / 1_000_000 + " ms, "
          + counts.transformedClasses() + " classes instrumented so far");
    } catch (Throwable t) {
      Log.warn("allocation hooks are off: the instrumentation could not start (" + t + "); "
          + (jfr ? "the JVM's allocation sampler still names sites" : "memory figures and GC still work"));
    }
  }

  /** The hooks' samples go to {@code queues} from now on; before, the hooks count nothing. After {@link #instrument}. */
  void armHooks(EventQueues queues) {
    if (instrumented) { // else the hook is not in the bootstrap loader, and nothing calls it
      AllocationInstrumentation.arm(instrumentation, queues, options.sampleBytes());
    }
  }

  /** Starts the JVM's sampler on a daemon thread of its own, plugging its leak profiler into {@code oldObjects}; returns at once. */
  void startSampler(EventQueues queues, OldObjects oldObjects) {
    if (!jfr) {
      return;
    }
    try {
      JfrAllocationSampler.start(queues, sites, userCode(), hooked, oldObjects, () -> Log.warn(
          "the JVM's allocation sampler (JFR) could not start; allocation sites come from the hooks in your own "
              + "code only, so bytes allocated inside the JDK and libraries are not counted (debug=true tells why)"));
    } catch (Throwable t) {
      Log.warn("the JVM's allocation sampler (JFR) could not start (" + t + "); allocation sites come from the hooks only");
    }
  }
}
