package io.memwatch.agent.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.agent.instrument.HookedClassesAccess;
import io.memwatch.agent.instrument.HookedClasses;
import io.memwatch.agent.owncode.UserCode;
import io.memwatch.collector.sites.SiteRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a sampled allocation's stack becomes a site, on stacks written out by hand. */
class SiteResolverTest {
  private final SiteRegistry sites = new SiteRegistry();
  private final HookedClasses hooked = new HookedClasses();
  private final SiteResolver resolver = new SiteResolver(new UserCode(List.of("com.example"), List.of()), hooked, sites);

  /** One frame: class, method, line, hidden. */
  record Frame(String className, String method, int line, boolean hidden) {
    static Frame of(String className, String method, int line) {
      return new Frame(className, method, line, false);
    }
  }

  record Stack(List<Frame> frames) implements StackFrames {
    static Stack of(Frame... frames) {
      return new Stack(List.of(frames));
    }

    @Override
    public int size() {
      return frames.size();
    }

    @Override
    public String className(int frame) {
      return frames.get(frame).className();
    }

    @Override
    public String methodName(int frame) {
      return frames.get(frame).method();
    }

    @Override
    public int line(int frame) {
      return frames.get(frame).line();
    }

    @Override
    public boolean hidden(int frame) {
      return frames.get(frame).hidden();
    }
  }

  private String site(int id) {
    return sites.site(id).frame() + " " + sites.site(id).type();
  }

  /** String.repeat and a concatenation, kept by map.put on line 42: the user's line is the site. */
  private static final Stack STRING_KEPT_BY_PUT = Stack.of(
      Frame.of("java.lang.StringConcatHelper", "newArray", 497),
      new Frame("java.lang.invoke.DirectMethodHandle$Holder", "invokeStatic", -1, true),
      new Frame("java.lang.invoke.LambdaForm$MH+0x00007fa9c4005c00", "invoke", -1, true),
      Frame.of("com.example.Cache", "put", 42),
      Frame.of("com.example.Service", "handle", 17),
      Frame.of("java.lang.Thread", "run", 840));

  @Test
  void theFirstFrameOfTheUsersCodeIsTheSiteWhateverMadeTheBytes() {
    int id = resolver.resolve("main", STRING_KEPT_BY_PUT, "[B");

    assertThat(site(id)).isEqualTo("com.example.Cache.put(Cache.java:42) byte[]");
  }

  @Test
  void aLibraryBetweenTheJdkAndTheUserIsPassedOver() {
    int id = resolver.resolve("worker", Stack.of(
        Frame.of("java.util.ArrayList", "grow", 237),
        Frame.of("com.fasterxml.jackson.databind.deser.std.CollectionDeserializer", "_deserializeFromArray", 363),
        Frame.of("com.fasterxml.jackson.databind.ObjectMapper", "readValue", 3848),
        Frame.of("com.example.orders.OrderCache$Loader", "load", 57)), "[Ljava.lang.Object;");

    assertThat(site(id)).isEqualTo("com.example.orders.OrderCache$Loader.load(OrderCache.java:57) java.lang.Object[]");
  }

  @Test
  void withoutAUserFrameTheFirstLibraryFrameThenTheAllocatingFrameIsTheSite() {
    int library = resolver.resolve("pool-1", Stack.of(
        Frame.of("java.util.HashMap", "resize", 700),
        Frame.of("org.apache.tomcat.util.net.NioEndpoint", "run", 100),
        Frame.of("java.lang.Thread", "run", 840)), "[Ljava.util.HashMap$Node;");
    int jdkOnly = resolver.resolve("Reference Handler", Stack.of(
        new Frame("java.lang.invoke.LambdaForm$DMH", "invoke", -1, true),
        Frame.of("java.util.HashMap", "resize", 700),
        Frame.of("java.lang.Thread", "run", 840)), "java.lang.Object");

    assertThat(site(library)).isEqualTo("org.apache.tomcat.util.net.NioEndpoint.run(NioEndpoint.java:100) java.util.HashMap$Node[]");
    assertThat(site(jdkOnly)).isEqualTo("java.util.HashMap.resize(HashMap.java:700) java.lang.Object");
  }

  @Test
  void anAllocationInAHookedClassIsLeftToTheHooks() {
    HookedClassesAccess.add(hooked, "com.example.Cache");

    assertThat(resolver.resolve("main", Stack.of(Frame.of("com.example.Cache", "put", 41)), "[B")).isEqualTo(SiteResolver.HOOKED);
    // Made inside the JDK on behalf of the hooked class: the hooks never saw it, the sampler keeps it.
    assertThat(site(resolver.resolve("main", STRING_KEPT_BY_PUT, "[B"))).isEqualTo("com.example.Cache.put(Cache.java:42) byte[]");
  }

  @Test
  void memwatchsOwnAllocationsAreNamedAfterMemwatchNeverTheUser() {
    int onItsThread = resolver.resolve("memwatch-collector", Stack.of(
        Frame.of("java.util.HashMap", "newNode", 1900),
        Frame.of("io.memwatch.collector.sites.AllocationAggregates", "accept", 70),
        Frame.of("java.lang.Thread", "run", 840)), "java.util.HashMap$Node");
    int onTheUsersThread = resolver.resolve("main", Stack.of(
        Frame.of("io.memwatch.agent.instrument.QueueingSink", "sampled", 28),
        Frame.of("io.memwatch.agent.hook.AllocationHook", "object", 50),
        Frame.of("com.example.Cache", "put", 42)), "io.memwatch.collector.events.AllocationSample");
    int cutShort = resolver.resolve("memwatch-jfr", Stack.of(
        Frame.of("jdk.jfr.internal.consumer.ChunkParser", "parse", 200),
        Frame.of("com.example.NotReallyTheUsers", "call", 1)), "[B");

    assertThat(site(onItsThread)).startsWith("io.memwatch.collector.sites.AllocationAggregates.accept(");
    assertThat(site(onTheUsersThread)).startsWith("io.memwatch.agent.instrument.QueueingSink.sampled(");
    int httpServer = resolver.resolve("memwatch-http-1", Stack.of(
        Frame.of("sun.net.httpserver.ServerImpl$Exchange", "run", 724),
        Frame.of("java.lang.Thread", "run", 840)), "java.io.BufferedInputStream");
    assertThat(site(cutShort)).isEqualTo("io.memwatch.OwnThread.memwatch-jfr(Unknown Source) byte[]");
    assertThat(site(httpServer)).isEqualTo("io.memwatch.OwnThread.memwatch-http(Unknown Source) java.io.BufferedInputStream");
  }

  @Test
  void theSameFrameAndTypeIsOneSiteAndTypesReadAsJavaWritesThem() {
    int first = resolver.resolve("main", STRING_KEPT_BY_PUT, "[B");
    int again = resolver.resolve("main", STRING_KEPT_BY_PUT, "[B");
    int string = resolver.resolve("main", STRING_KEPT_BY_PUT, "java.lang.String");
    int nested = resolver.resolve("main", STRING_KEPT_BY_PUT, "[[Ljava.util.HashMap$Node;");
    int lambda = resolver.resolve("main", STRING_KEPT_BY_PUT, "com.example.Cache$$Lambda$268+0x00007ff6c00e8c50.947544215");

    assertThat(again).isEqualTo(first);
    assertThat(string).isNotEqualTo(first);
    assertThat(sites.site(nested).type()).isEqualTo("java.util.HashMap$Node[][]");
    assertThat(sites.site(lambda).type()).isEqualTo("com.example.Cache$$Lambda");
    assertThat(sites.size()).isEqualTo(4);
  }

  @Test
  void sitesAreBoundedWhateverTheStacks() {
    for (int line = 1; line <= SiteResolver.MAX_CACHED + 500; line++) {
      resolver.resolve("main", Stack.of(Frame.of("com.example.Generated", "run", line)), "[B");
    }

    assertThat(sites.size()).isEqualTo(SiteResolver.MAX_CACHED);
    assertThat(resolver.resolve("main", Stack.of(Frame.of("com.example.Generated", "run", -7)), "[B"))
        .isEqualTo(SiteRegistry.OVERFLOW);
  }

  @Test
  void bytesFromBeforeTheSamplerStartedAreOneSiteOfTheirOwn() {
    assertThat(site(resolver.beforeSampling())).isEqualTo("(before sampling started).unknown(Unknown Source) unknown");
    assertThat(resolver.beforeSampling()).isEqualTo(resolver.beforeSampling());
  }

  @Test
  void noStackIsASiteOfItsOwn() {
    assertThat(site(resolver.resolve("main", Stack.of(), "[B"))).isEqualTo("(no stack trace).unknown(Unknown Source) byte[]");
  }
}
