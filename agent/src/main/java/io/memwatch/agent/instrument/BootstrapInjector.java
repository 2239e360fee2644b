package io.memwatch.agent.instrument;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
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
 *       half a second of {@code premain} to set itself up. Called through a method handle of its
 *       exact type: from Java 18 core reflection spins method handles for its arguments' spreading,
 *       15-25 ms of {@code premain} on Java 25 against 1.5 ms;
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

  /**
   * From the agent jar itself where there is one: the class loader has it open already, and its
   * resource URLs would load and run the JDK's URL connection classes (4-5 ms of {@code premain}).
   */
  private static Map<String, byte[]> readHookClasses() throws IOException {
    File agentJar = agentJar();
    if (agentJar == null) {
      return readHookClasses(BootstrapInjector.class.getClassLoader());
    }
    Map<String, byte[]> classes = new LinkedHashMap<>();
    try (JarFile jar = new JarFile(agentJar, false)) {
      for (String name : HOOK_CLASSES) {
        JarEntry entry = jar.getJarEntry(classFile(name));
        if (entry == null) {
          throw new IOException("the agent jar " + agentJar + " lacks " + name);
        }
        try (InputStream in = jar.getInputStream(entry)) {
          classes.put(name, in.readAllBytes());
        }
      }
    }
    return classes;
  }

  private static Map<String, byte[]> readHookClasses(ClassLoader agentLoader) throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    for (String name : HOOK_CLASSES) {
      try (InputStream in = agentLoader.getResourceAsStream(classFile(name))) {
        if (in == null) {
          throw new IOException("the agent's class path lacks " + name);
        }
        classes.put(name, in.readAllBytes());
      }
    }
    return classes;
  }

  /** The jar the agent's classes come from; null when they come from a directory (the agent's own tests). */
  private static File agentJar() {
    CodeSource source = BootstrapInjector.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
      return null;
    }
    try {
      File file = new File(source.getLocation().toURI());
      return file.isFile() ? file : null;
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String classFile(String className) {
    return className.replace('.', '/') + ".class";
  }

  private static boolean defineThroughClassLoader(Instrumentation instrumentation, Map<String, byte[]> classes) {
    try {
      Module javaBase = Object.class.getModule();
      instrumentation.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.lang", Set.of(BootstrapInjector.class.getModule())),
          Set.of(), Map.of());
      MethodHandle define = MethodHandles.privateLookupIn(ClassLoader.class, MethodHandles.lookup()).findStatic(
          ClassLoader.class, "defineClass1", MethodType.methodType(Class.class, ClassLoader.class, String.class,
              byte[].class, int.class, int.class, ProtectionDomain.class, String.class));
      for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
        byte[] bytes = entry.getValue();
        Class<?> defined = (Class<?>) define.invokeExact((ClassLoader) null, entry.getKey(), bytes, 0, bytes.length,
            (ProtectionDomain) null, (String) null);
      }
      return true;
    } catch (Throwable e) {
      io.memwatch.collector.log.Log.debug("defining the hook through ClassLoader failed (" + e + "); appending a jar instead");
      return false;
    }
  }
}
