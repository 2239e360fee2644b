package io.memwatch.agent.instrument;

import io.memwatch.agent.hook.AllocationHook;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether code defined by a class loader would link to the bootstrap {@link AllocationHook}.
 * Loaders that do not delegate our package to the bootstrap loader (some OSGi and module
 * systems) would throw NoClassDefFoundError into the host's code: their classes are left alone.
 */
final class HookVisibility {
  private final Map<ClassLoader, Boolean> verdicts = new WeakHashMap<>();

  synchronized boolean visibleFrom(ClassLoader loader) {
    return verdicts.computeIfAbsent(loader, HookVisibility::check);
  }

  private static boolean check(ClassLoader loader) {
    try {
      return Class.forName(AllocationHook.class.getName(), false, loader) == AllocationHook.class;
    } catch (Throwable e) {
      return false;
    }
  }
}
