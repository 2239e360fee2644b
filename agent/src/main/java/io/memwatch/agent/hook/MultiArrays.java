package io.memwatch.agent.hook;

/** Sizes a fresh multi-dimensional array without walking every sub-array. */
final class MultiArrays {
  private MultiArrays() {}

  /**
   * Every sub-array of a level made by {@code multianewarray} has the same length, so one path
   * down the first elements gives the whole: per level, the header plus its elements, times the
   * number of arrays at that level.
   */
  static long estimateBytes(Object array, int header) {
    long total = 0;
    long arrays = 1;
    Object level = array;
    while (level != null && level.getClass().isArray()) {
      int length = java.lang.reflect.Array.getLength(level);
      Class<?> component = level.getClass().getComponentType();
      int elementBytes = component.isPrimitive() ? primitiveBytes(component) : 4;
      total += arrays * (header + (long) length * elementBytes);
      if (length == 0 || component.isPrimitive()) {
        break;
      }
      arrays *= length;
      level = ((Object[]) level)[0];
    }
    return total;
  }

  private static int primitiveBytes(Class<?> type) {
    if (type == long.class || type == double.class) {
      return 8;
    }
    if (type == int.class || type == float.class) {
      return 4;
    }
    if (type == short.class || type == char.class) {
      return 2;
    }
    return 1;
  }
}
