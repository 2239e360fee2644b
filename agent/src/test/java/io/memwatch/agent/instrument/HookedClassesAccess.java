package io.memwatch.agent.instrument;

/** Lets tests outside this package mark a class as instrumented, as the transformer does. */
public final class HookedClassesAccess {
  private HookedClassesAccess() {}

  public static void add(HookedClasses hooked, String className) {
    hooked.add(className);
  }
}
