package io.memwatch.agent.jfr;

/**
 * Whether this JVM has the Flight Recorder's API at all: a runtime made with jlink may lack the
 * {@code jdk.jfr} module, and an application run as a module may not resolve it. Touches no class
 * of {@code jdk.jfr}, so asking is safe where it is missing.
 */
public final class JfrSupport {
  static final String MODULE = "jdk.jfr";

  private JfrSupport() {}

  public static boolean present() {
    return ModuleLayer.boot().findModule(MODULE).isPresent()
        && JfrSupport.class.getModule().canRead(ModuleLayer.boot().findModule(MODULE).get());
  }
}
