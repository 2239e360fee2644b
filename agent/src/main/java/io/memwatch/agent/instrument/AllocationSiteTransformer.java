package io.memwatch.agent.instrument;

import io.memwatch.agent.hook.AllocationHook;
import io.memwatch.agent.owncode.UserCode;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.log.Log;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.module.ModuleFinder;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;

/**
 * Instruments the user's classes as they load: a cheap test of the class's name and loader first
 * (most classes are the JDK's or a library's and are left alone at the cost of a few string
 * comparisons), then {@link AllocationSiteRewriter} for the rest. A class that cannot be
 * instrumented is left exactly as it was and counted; nothing is thrown to the JVM.
 */
final class AllocationSiteTransformer implements ClassFileTransformer {
  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  private final Instrumentation instrumentation;
  private final UserCode userCode;
  private final AllocationSiteRewriter rewriter;
  private final HookedClasses hooked;
  private final InstrumentationCounts counts;
  private final HookVisibility hookVisibility = new HookVisibility();
  private final Module hookModule = AllocationHook.class.getModule();

  AllocationSiteTransformer(Instrumentation instrumentation, UserCode userCode, AllocationSiteRewriter rewriter,
      HookedClasses hooked, InstrumentationCounts counts) {
    this.instrumentation = instrumentation;
    this.userCode = userCode;
    this.rewriter = rewriter;
    this.hooked = hooked;
    this.counts = counts;
  }

  /** Whether a class is one to instrument, judged by what is known before its bytes are read. */
  boolean selects(String className, ClassLoader loader, Module module) {
    if (className == null || loader == null || loader == PLATFORM || !userCode.contains(className)) {
      return false;
    }
    // The JDK's own modules, whatever loader they came from (jdk.compiler is the application loader's).
    return module == null || !module.isNamed() || !SystemModules.contains(module.getName());
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classFile) {
    if (internalName == null) {
      return null;
    }
    String className = internalName.replace('/', '.');
    if (!selects(className, loader, module) || !hookVisibility.visibleFrom(loader)) {
      return null;
    }
    try {
      byte[] rewritten = rewriter.rewrite(classFile, loader);
      if (rewritten == null) {
        return null;
      }
      if (module != null && module.isNamed() && !module.canRead(hookModule)) {
        // The hook sits in the bootstrap loader's unnamed module: code in named modules must read it.
        instrumentation.redefineModule(module, Set.of(hookModule), Map.of(), Map.of(), Set.of(), Map.of());
      }
      hooked.add(className);
      counts.transformed();
      return rewritten;
    } catch (Throwable t) {
      hooked.remove(className);
      counts.error();
      Log.warnOnce("instrumentation-error",
          "left " + className + " uninstrumented (" + t + "); further such classes are counted in "
              + "memwatch_instrumentation_errors_total, reasons with debug=true");
      Log.debug("left " + className + " uninstrumented", t);
      return null;
    }
  }

  /** The names of the JDK's modules, read once and only when a class in a named module turns up. */
  private static final class SystemModules {
    private static final Set<String> NAMES = ModuleFinder.ofSystem().findAll().stream()
        .map(reference -> reference.descriptor().name())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());

    static boolean contains(String name) {
      return NAMES.contains(name);
    }
  }
}
