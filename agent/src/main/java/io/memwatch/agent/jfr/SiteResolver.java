package io.memwatch.agent.jfr;

import io.memwatch.agent.instrument.HookedClasses;
import io.memwatch.agent.owncode.UserCode;
import io.memwatch.collector.sites.Site;
import io.memwatch.collector.sites.SiteRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * Names the site of an allocation the JVM sampled, from its stack:
 * <ol>
 *   <li>an allocation made in a class the hooks instrument is theirs: {@link #HOOKED}, dropped, so
 *       no byte is counted twice;
 *   <li>on memwatch's own threads, or below a frame of memwatch's own code (the hook handing a
 *       sample over), the site is memwatch's first frame: memwatch's allocations are never the user's;
 *   <li>otherwise the first frame of the user's code ({@link UserCode}), even when the JDK or a
 *       library made the bytes: a String built by {@code String.repeat} and kept by
 *       {@code map.put} on line 42 is {@code com.example.Cache.put(Cache.java:42)};
 *   <li>no user frame in the stack (none there, or the stack was cut at the JVM's depth, 64
 *       frames by default): the first frame of a library, else the allocating frame itself.
 * </ol>
 * Frames of the JVM's own making (hidden: lambda forms, lambdas' classes) are never a site. The
 * site reads like the hooks' ({@link Site#frame()}); the sampler gives no source file name, so it is
 * the top-level class's name + {@code .java}, which is what javac writes.
 *
 * <p>Runs on the sampler's thread only. Classifications and site ids are cached, so an event
 * costs a few map look-ups; both caches are bounded, past which sites share the registry's overflow.
 */
final class SiteResolver {
  /** Returned for an allocation the hooks count. */
  static final int HOOKED = -1;
  static final int MAX_CACHED = 20_000;
  static final String MEMWATCH_THREAD_PREFIX = "memwatch-";
  /** The "class" of sites made on memwatch's threads with no frame of memwatch's own: {@code io.memwatch.OwnThread.memwatch-http}. */
  static final String OWN_THREAD = "io.memwatch.OwnThread";
  static final String BEFORE_SAMPLING = "(before sampling started)";

  private enum Kind { USER, MEMWATCH, JDK, LIBRARY }

  private record FrameSite(String className, String method, int line, String type) {}

  private final UserCode userCode;
  private final HookedClasses hooked;
  private final SiteRegistry sites;
  private final Map<String, Kind> kinds = new HashMap<>();
  private final Map<FrameSite, Integer> ids = new HashMap<>();
  private final Map<String, String> typeNames = new HashMap<>();

  SiteResolver(UserCode userCode, HookedClasses hooked, SiteRegistry sites) {
    this.userCode = userCode;
    this.hooked = hooked;
    this.sites = sites;
  }

  /** The site for bytes a thread allocated before the sampler started: counted, but nobody's in particular. */
  int beforeSampling() {
    return siteId(BEFORE_SAMPLING, "unknown", -1, "unknown");
  }

  /** The site id for a sampled allocation of {@code jvmTypeName} ({@code [B}), or {@link #HOOKED}. */
  int resolve(String threadName, StackFrames frames, String jvmTypeName) {
    String type = typeName(jvmTypeName);
    int count = frames.size();
    if (count == 0) {
      return siteId("(no stack trace)", "unknown", -1, type);
    }
    // Not cached: a class retransformed after an attach becomes hooked while the sampler runs.
    if (hooked.contains(frames.className(0))) {
      return HOOKED;
    }
    boolean memwatchThread = threadName != null && threadName.startsWith(MEMWATCH_THREAD_PREFIX);
    int firstVisible = -1;
    int firstLibrary = -1;
    for (int i = 0; i < count; i++) {
      if (frames.hidden(i)) {
        continue;
      }
      if (firstVisible < 0) {
        firstVisible = i;
      }
      Kind kind = kind(frames.className(i));
      if (kind == Kind.MEMWATCH || (kind == Kind.USER && !memwatchThread)) {
        return siteId(frames, i, type);
      }
      if (kind == Kind.LIBRARY && firstLibrary < 0) {
        firstLibrary = i;
      }
    }
    if (memwatchThread) {
      // memwatch's own cost, though made by the JDK (its HTTP server, the Flight Recorder's parser)
      // or cut short: named as memwatch's, so it is never taken for the application's.
      return siteId(OWN_THREAD, threadName.replaceFirst("-\\d+$", ""), -1, type);
    }
    int chosen = firstLibrary < 0 ? firstVisible : firstLibrary;
    return siteId(frames, chosen < 0 ? 0 : chosen, type);
  }

  /** The site of the allocating frame itself: what the hooks name an allocation in hooked code. */
  int allocatingFrame(StackFrames frames, String jvmTypeName) {
    String type = typeName(jvmTypeName);
    return frames.size() == 0 ? siteId("(no stack trace)", "unknown", -1, type) : siteId(frames, 0, type);
  }

  private Kind kind(String className) {
    Kind kind = kinds.get(className);
    if (kind == null) {
      kind = UserCode.isMemwatch(className) ? Kind.MEMWATCH
          : userCode.contains(className) ? Kind.USER
          : UserCode.isJdk(className) ? Kind.JDK
          : Kind.LIBRARY;
      if (kinds.size() < MAX_CACHED) {
        kinds.put(className, kind);
      }
    }
    return kind;
  }

  private int siteId(StackFrames frames, int frame, String type) {
    return siteId(frames.className(frame), frames.methodName(frame), frames.line(frame), type);
  }

  private int siteId(String className, String method, int line, String type) {
    FrameSite key = new FrameSite(className, method, line, type);
    Integer id = ids.get(key);
    if (id != null) {
      return id;
    }
    if (ids.size() >= MAX_CACHED) {
      return SiteRegistry.OVERFLOW;
    }
    int registered = sites.register(new Site(className, method, sourceFile(className), line, type));
    ids.put(key, registered);
    return registered;
  }

  private String typeName(String jvmName) {
    String name = typeNames.get(jvmName);
    if (name == null) {
      name = JavaTypeNames.of(jvmName);
      if (typeNames.size() < MAX_CACHED) {
        typeNames.put(jvmName, name);
      }
    }
    return name;
  }

  /** {@code Cache.java} for {@code com.example.Cache$Entry}: the top-level class's file, as javac names it. */
  static String sourceFile(String className) {
    if (className.startsWith("(") || className.equals(OWN_THREAD)) {
      return null; // not a class: "(no stack trace)", memwatch's threads
    }
    int start = className.lastIndexOf('.') + 1;
    int dollar = className.indexOf('$', start);
    return className.substring(start, dollar > start ? dollar : className.length()) + ".java";
  }
}
