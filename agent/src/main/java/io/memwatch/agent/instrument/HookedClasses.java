package io.memwatch.agent.instrument;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classes whose allocations the hooks count: those actually instrumented, not merely matched
 * (a class that failed to instrument is not here, so the JVM's sampler keeps its bytes). The
 * sampler drops an event whose allocating frame is in one of these, so no byte is counted twice.
 *
 * <p>Written by class-loading threads, read by the sampler's thread; as large as the number of
 * the user's classes loaded, which the JVM bounds anyway.
 */
public final class HookedClasses {
  private final Set<String> names = ConcurrentHashMap.newKeySet();

  void add(String className) {
    names.add(className);
  }

  void remove(String className) {
    names.remove(className);
  }

  /** Whether the class with this binary name ({@code com.example.Cache$Entry}) is instrumented. */
  public boolean contains(String className) {
    return names.contains(className);
  }

  public int size() {
    return names.size();
  }
}
