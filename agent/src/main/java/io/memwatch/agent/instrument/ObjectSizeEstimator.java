package io.memwatch.agent.instrument;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

/**
 * A class's instance size, estimated once from its class file and its superclasses' (the class
 * need not be loaded): a 12-byte header, 4-byte compressed references, primitives at their width,
 * rounded up to 8.
 *
 * <p>The estimate only steers the sampler; the sample's weight uses the real size, so a poor
 * estimate costs precision, never correctness.
 */
final class ObjectSizeEstimator {
  static final int HEADER = 12;
  static final int FALLBACK = 24;
  /** Bounded: past this many classes, estimates are made again rather than remembered. */
  private static final int MAX_CACHED = 50_000;

  private final Map<String, Integer> cache = new ConcurrentHashMap<>();

  int estimate(String className, TypePool pool) {
    Integer known = cache.get(className);
    if (known != null) {
      return known;
    }
    int size = compute(className, pool);
    if (cache.size() < MAX_CACHED) {
      cache.put(className, size);
    }
    return size;
  }

  private static int compute(String className, TypePool pool) {
    try {
      TypePool.Resolution resolution = pool.describe(className);
      if (!resolution.isResolved()) {
        return FALLBACK;
      }
      long bytes = HEADER;
      for (TypeDefinition type = resolution.resolve(); type != null; type = type.getSuperClass()) {
        for (FieldDescription.InDefinedShape field : type.asErasure().getDeclaredFields()) {
          if (!field.isStatic()) {
            bytes += width(field.getType().asErasure());
          }
        }
      }
      return (int) Math.min(Integer.MAX_VALUE, (bytes + 7) & ~7L);
    } catch (RuntimeException | LinkageError e) {
      return FALLBACK; // a missing superclass, say: the estimate is only a guide
    }
  }

  private static int width(TypeDescription type) {
    if (!type.isPrimitive()) {
      return 4;
    }
    switch (type.getName()) {
      case "long": case "double": return 8;
      case "int": case "float": return 4;
      case "short": case "char": return 2;
      default: return 1;
    }
  }
}
