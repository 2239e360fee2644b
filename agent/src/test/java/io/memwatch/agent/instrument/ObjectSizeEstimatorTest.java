package io.memwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ObjectSizeEstimatorTest {
  private final ObjectSizeEstimator sizes = new ObjectSizeEstimator();

  @Test
  void aJdkClassReadByReflectionIsEstimatedAsFromItsClassFiles() {
    for (Class<?> type : List.of(ArrayList.class, HashMap.class, StringBuilder.class, ConcurrentHashMap.class,
        java.util.Date.class, Thread.class, String.class)) {
      String internalName = type.getName().replace('.', '/');
      assertEquals(ObjectSizeEstimator.fromClassFiles(internalName, null), sizes.estimate(internalName, null), type.getName());
    }
  }

  @Test
  void anObjectsFieldsAndItsSuperclassesCountRoundedUpToEightBytes() {
    // 12 header + Parent's long (8) + Child's int, byte and reference (4 + 1 + 4) = 29, rounded up to 32
    assertEquals(32, ObjectSizeEstimator.sizeOf(Child.class));
    assertEquals(32, ObjectSizeEstimator.fromClassFiles(Child.class.getName().replace('.', '/'), Child.class.getClassLoader()));
    assertEquals(16, ObjectSizeEstimator.sizeOf(Object.class)); // the header alone, rounded up
  }

  @Test
  void aClassOutsideTheJdkIsReadFromItsLoadersClassFileAndAnUnknownOneGetsTheFallback() {
    assertEquals(32, sizes.estimate(Child.class.getName().replace('.', '/'), Child.class.getClassLoader()));
    assertEquals(ObjectSizeEstimator.FALLBACK, sizes.estimate("com/example/NoSuchClass", getClass().getClassLoader()));
    assertEquals(ObjectSizeEstimator.FALLBACK, sizes.estimate("javax/example/NotInTheJdk", getClass().getClassLoader()));
  }

  @SuppressWarnings("unused")
  private static class Parent {
    private long total;
    private static long shared;
  }

  @SuppressWarnings("unused")
  private static final class Child extends Parent {
    private int count;
    private byte flag;
    private Object next;
  }
}
