package io.memwatch.agent.instrument;

import io.memwatch.agent.owncode.UserCode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * A class's instance size, estimated once from its fields and its superclasses': a 12-byte header,
 * 4-byte compressed references, primitives at their width, rounded up to 8.
 *
 * <p>The JDK's classes are read by reflection from the bootstrap loader, where they are nearly
 * always loaded already (the JVM loads the common ones at start, from its archive, and loading one
 * runs none of its code): some 0.1 ms each, where reading and parsing the class file took 3-5 ms
 * in a JVM just started, ~13 ms before the first class of the host's with a {@code new} could run.
 * Every other class is read from its class file through the allocating class's loader, so that
 * nothing is loaded by the application's loaders from inside the transformer.
 *
 * <p>The estimate only steers the sampler; the sample's weight uses the real size, so a poor
 * estimate costs precision, never correctness.
 */
final class ObjectSizeEstimator {
  static final int HEADER = 12;
  static final int FALLBACK = 24;
  /** Bounded: past this many classes, estimates are made again rather than remembered. */
  private static final int MAX_CACHED = 50_000;
  /** Deeper hierarchies than this are cut short: the estimate is only a guide. */
  private static final int MAX_DEPTH = 32;

  /** Bytes of a class's own instance fields, and its superclass's internal name. */
  private record Fields(long bytes, String superName) {}

  private final Map<String, Integer> cache = new ConcurrentHashMap<>();

  /** {@code internalName} as in bytecode ({@code java/util/ArrayList}); {@code loader} null is the bootstrap loader. */
  int estimate(String internalName, ClassLoader loader) {
    Integer known = cache.get(internalName);
    if (known != null) {
      return known;
    }
    int size = compute(internalName, loader);
    if (cache.size() < MAX_CACHED) {
      cache.put(internalName, size);
    }
    return size;
  }

  private static int compute(String internalName, ClassLoader loader) {
    Class<?> jdkClass = jdkClass(internalName);
    if (jdkClass != null) {
      try {
        return sizeOf(jdkClass);
      } catch (LinkageError | RuntimeException e) {
        // a field's type the JVM cannot resolve: the class files tell the same without resolving it
      }
    }
    return fromClassFiles(internalName, loader);
  }

  static int fromClassFiles(String internalName, ClassLoader loader) {
    long bytes = HEADER;
    String type = internalName;
    for (int depth = 0; type != null && depth < MAX_DEPTH; depth++) {
      Fields fields = read(type, loader);
      if (fields == null) {
        return FALLBACK; // a class file we cannot see: the estimate is only a guide
      }
      bytes += fields.bytes();
      type = fields.superName();
    }
    return (int) Math.min(Integer.MAX_VALUE, (bytes + 7) & ~7L);
  }

  /** The class if it is one of the bootstrap loader's, else null; asked only for names in the JDK's packages. */
  private static Class<?> jdkClass(String internalName) {
    String className = internalName.replace('/', '.');
    if (!UserCode.isJdk(className)) {
      return null;
    }
    try {
      return Class.forName(className, false, null);
    } catch (ClassNotFoundException | LinkageError e) {
      return null; // another loader's (the platform loader's java.sql, a library's javax): its class file, then
    }
  }

  static int sizeOf(Class<?> type) {
    long bytes = HEADER;
    Class<?> level = type;
    for (int depth = 0; level != null && depth < MAX_DEPTH; depth++) {
      for (Field field : level.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers())) {
          bytes += width(field.getType());
        }
      }
      level = level.getSuperclass();
    }
    return (int) Math.min(Integer.MAX_VALUE, (bytes + 7) & ~7L);
  }

  private static Fields read(String internalName, ClassLoader loader) {
    String resource = internalName + ".class";
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      ClassReader reader = new ClassReader(in.readAllBytes());
      long[] bytes = {0};
      reader.accept(new ClassVisitor(Opcodes.ASM9) {
        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
          if ((access & Opcodes.ACC_STATIC) == 0) {
            bytes[0] += width(descriptor.charAt(0));
          }
          return null;
        }
      }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      return new Fields(bytes[0], reader.getSuperName());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static int width(Class<?> type) {
    if (!type.isPrimitive()) {
      return 4; // a reference, compressed
    }
    if (type == long.class || type == double.class) {
      return 8;
    }
    if (type == int.class || type == float.class) {
      return 4;
    }
    return type == short.class || type == char.class ? 2 : 1;
  }

  private static int width(char descriptor) {
    switch (descriptor) {
      case 'J': case 'D': return 8;
      case 'I': case 'F': return 4;
      case 'S': case 'C': return 2;
      case 'B': case 'Z': return 1;
      default: return 4; // a reference, compressed
    }
  }
}
