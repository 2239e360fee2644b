package io.memwatch.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * Puts the hook classes into the bootstrap class loader, so code in every class loader, isolated
 * ones included, links to one and the same hook.
 *
 * <p>Must run before anything in the agent touches those classes: once the application class
 * loader had defined its own copy, the agent and the instrumented code would see different ones.
 * Hence class names as strings here.
 *
 * <p>How, in order of preference, each quiet on the host's stderr where the JDK allows it:
 * <ol>
 *   <li>the JDK's own class-definition method, reached by opening {@code java.lang} to the agent
 *       through the Instrumentation API: a few milliseconds, where Byte Buddy's Unsafe injector took
 *       half a second of {@code premain} to set itself up;
 *   <li>up to Java 23, Byte Buddy's Unsafe injector (from Java 24 Unsafe prints deprecation warnings);
 *   <li>failing both, a small jar appended to the boot class path. The JVM then turns class data
 *       sharing off for application classes and says so in one line.
 * </ol>
 */
public final class BootstrapInjector {
  static final List<String> HOOK_CLASSES = List.of(
      "io.memwatch.agent.hook.AllocationSink",
      "io.memwatch.agent.hook.MultiArrays",
      "io.memwatch.agent.hook.AllocationHook");
  private static final int UNSAFE_WARNS_FROM = 24;

  private BootstrapInjector() {}

  public static void inject(Instrumentation instrumentation) throws IOException, ClassNotFoundException {
    Map<String, byte[]> classes = readHookClasses();
    if (defineThroughClassLoader(instrumentation, classes)) {
      // done: the quickest way, a few milliseconds
    } else if (Runtime.version().feature() < UNSAFE_WARNS_FROM) {
      ClassInjector.UsingUnsafe.Factory.resolve(instrumentation).make(null).injectRaw(classes);
    } else {
      Path folder = Files.createTempDirectory("memwatch-bootstrap");
      folder.toFile().deleteOnExit();
      ClassInjector.UsingInstrumentation.of(folder.toFile(), ClassInjector.UsingInstrumentation.Target.BOOTSTRAP,
          instrumentation).injectRaw(classes);
    }
    Class<?> hook = Class.forName(HOOK_CLASSES.get(2), false, null);
    if (hook.getClassLoader() != null) {
      throw new IllegalStateException("the hook did not land in the bootstrap class loader");
    }
  }

  /** Byte Buddy must not reach for Unsafe on its own where that prints warnings; call before it initialises. */
  public static void keepByteBuddyOffUnsafe() {
    if (Runtime.version().feature() >= UNSAFE_WARNS_FROM) {
      // The shade plugin relocates this property's name with the classes: only memwatch's copy reads it.
      System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
    }
  }

  private static Map<String, byte[]> readHookClasses() throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    ClassLoader agentLoader = BootstrapInjector.class.getClassLoader();
    for (String name : HOOK_CLASSES) {
      try (InputStream in = agentLoader.getResourceAsStream(name.replace('.', '/') + ".class")) {
        if (in == null) {
          throw new IOException("the agent jar lacks " + name);
        }
        classes.put(name, in.readAllBytes());
      }
    }
    return classes;
  }

  private static boolean defineThroughClassLoader(Instrumentation instrumentation, Map<String, byte[]> classes) {
    try {
      Module javaBase = Object.class.getModule();
      instrumentation.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.lang", Set.of(BootstrapInjector.class.getModule())),
          Set.of(), Map.of());
      Method define = ClassLoader.class.getDeclaredMethod("defineClass1", ClassLoader.class, String.class,
          byte[].class, int.class, int.class, ProtectionDomain.class, String.class);
      define.setAccessible(true);
      for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
        byte[] bytes = entry.getValue();
        define.invoke(null, null, entry.getKey(), bytes, 0, bytes.length, null, null);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      io.memwatch.collector.log.Log.debug("defining the hook through ClassLoader failed (" + e + "); appending a jar instead");
      return false;
    }
  }
}
