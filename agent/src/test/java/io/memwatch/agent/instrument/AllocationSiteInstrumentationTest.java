package io.memwatch.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.AllocationForms;
import io.memwatch.agent.hook.AllocationHook;
import io.memwatch.agent.hook.AllocationSink;
import io.memwatch.collector.sites.Site;
import io.memwatch.collector.sites.SiteRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The visitor on real bytecode: the fixture is instrumented, loaded in a fresh class loader (so
 * the JVM verifies it), run, and compared with the plain class.
 */
class AllocationSiteInstrumentationTest {
  private final SiteRegistry sites = new SiteRegistry();
  private final List<String> sampled = new CopyOnWriteArrayList<>();

  @BeforeEach
  void armEverySample() {
    // A mean of one byte: every allocation is due, so every instrumented site shows up.
    AllocationSink sink = (allocated, site, bytes) -> {
      Site s = sites.site(site);
      sampled.add(s.method() + ":" + s.type() + ":" + (allocated == null ? "null" : allocated.getClass().getSimpleName()));
    };
    AllocationHook.arm(sink, 1);
  }

  @AfterEach
  void disarm() {
    AllocationHook.disarm();
  }

  private Class<?> instrumented(Class<?> type) throws Exception {
    ClassLoader parent = type.getClassLoader();
    String resource = type.getName().replace('.', '/') + ".class";
    byte[] plain;
    try (var in = parent.getResourceAsStream(resource)) {
      plain = in.readAllBytes();
    }
    byte[] rewritten = new AllocationSiteRewriter(sites).rewrite(plain, parent);
    // A fresh loader that defines the rewritten class itself, so the JVM verifies it.
    return new ClassLoader(parent) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.equals(type.getName())) {
          return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
          Class<?> loaded = findLoadedClass(name);
          return loaded != null ? loaded : defineClass(name, rewritten, 0, rewritten.length);
        }
      }
    }.loadClass(type.getName());
  }

  @Test
  void behavesExactlyAsThePlainClass() throws Exception {
    Class<?> forms = instrumented(AllocationForms.class);
    assertThat(forms.getClassLoader()).isNotSameAs(AllocationForms.class.getClassLoader());

    String result = (String) forms.getMethod("run").invoke(null);

    assertThat(result).isEqualTo(AllocationForms.run());
    assertThat(result).contains("NegativeArraySizeException");
  }

  @Test
  void everyFormOfAllocationIsSeen() throws Exception {
    instrumented(AllocationForms.class).getMethod("run").invoke(null);

    Set<String> seen = Set.copyOf(sampled);
    assertThat(seen).contains(
        "<clinit>:int[]:int[]",
        "<clinit>:java.util.ArrayList:ArrayList",
        "<init>:long[]:long[]",
        "<init>:java.lang.StringBuilder:StringBuilder",
        "run:example.fixtures.AllocationForms:AllocationForms",
        "primitiveArrays:boolean[]:boolean[]",
        "primitiveArrays:byte[]:byte[]",
        "primitiveArrays:char[]:char[]",
        "primitiveArrays:short[]:short[]",
        "primitiveArrays:int[]:int[]",
        "primitiveArrays:long[]:long[]",
        "primitiveArrays:float[]:float[]",
        "primitiveArrays:double[]:double[]",
        "objectArrays:java.lang.String[]:String[]",
        "objectArrays:int[][]:int[][]",
        "multiArrays:int[][]:int[][]",
        "multiArrays:long[][][]:long[][][]",
        "multiArrays:java.lang.Object[][]:Object[][]",
        "multiArrays:java.lang.String[][]:String[][]",
        "exceptions:java.lang.StringBuilder:StringBuilder",
        "exceptions:java.lang.IllegalStateException:IllegalStateException",
        "exceptions:java.lang.String[]:String[]",
        "exceptions:char[]:char[]",
        "nested:java.util.ArrayList:ArrayList",
        "nested:java.lang.StringBuilder:StringBuilder");
    // Lambda bodies are methods of the class: their allocations belong to it.
    assertThat(seen.stream().filter(s -> s.startsWith("lambda$lambdas$")).collect(Collectors.toSet()))
        .contains("lambda$lambdas$0:java.util.ArrayList:ArrayList")
        .anyMatch(s -> s.endsWith(":int[]:int[]"));
  }

  @Test
  void allocationInSuperCallArgumentsBeforeThisExists() throws Exception {
    Class<?> child = instrumented(AllocationForms.Child.class);

    Object made = child.getDeclaredConstructor().newInstance();

    assertThat(made).asList().containsExactly("a", "b");
    assertThat(sampled).contains("<init>:java.util.ArrayList:ArrayList", "<init>:java.lang.Object[]:Object[]");
  }

  @Test
  void sitesReadLikeStackTraceElements() throws Exception {
    instrumented(AllocationForms.class).getMethod("run").invoke(null);

    assertThat(sites.size()).isGreaterThan(25);
    List<String> frames = java.util.stream.IntStream.rangeClosed(1, sites.size())
        .mapToObj(id -> sites.site(id).frame()).collect(Collectors.toList());
    assertThat(frames).allMatch(f -> f.matches("example\\.fixtures\\.AllocationForms(\\$Child)?\\.[\\w$<>]+\\(AllocationForms\\.java:\\d+\\)"));
  }

  @Test
  void disarmedHookSamplesNothingAndChangesNothing() throws Exception {
    AllocationHook.disarm();
    Class<?> forms = instrumented(AllocationForms.class);

    assertThat(forms.getMethod("run").invoke(null)).isEqualTo(AllocationForms.run());
    assertThat(sampled).isEmpty();
  }
}
