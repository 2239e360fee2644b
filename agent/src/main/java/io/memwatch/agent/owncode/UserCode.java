package io.memwatch.agent.owncode;

import java.util.List;

/**
 * What counts as the user's code: the classes the hooks instrument, and the frames the JVM's
 * sampler names sites after. One definition for both, so the two sources agree on who owns which
 * bytes: {@code include} (by default the application's own packages, {@link OwnCodeDetector})
 * less {@code exclude}, never the JDK's or memwatch's classes.
 */
public final class UserCode {
  /** The JDK's packages; {@code com.sun} only where the JDK has them, since libraries live there too (com.sun.jersey). */
  private static final String[] JDK_PREFIXES = {
      "java.", "javax.", "jdk.", "sun.", "org.ietf.jgss.", "org.w3c.dom.", "org.xml.sax.", "com.sun.proxy.",
      "com.sun.org.apache.", "com.sun.jmx.", "com.sun.management.", "com.sun.net.", "com.sun.crypto.", "com.sun.jndi.",
      "com.sun.security.", "com.sun.tools.", "com.sun.beans.", "com.sun.naming.", "com.sun.java.", "com.sun.nio.",
      "com.sun.imageio.", "com.sun.media.", "com.sun.rowset.", "com.sun.source.", "com.sun.istack.internal."};
  private static final String[] MEMWATCH_PREFIXES = {"io.memwatch.agent.", "io.memwatch.collector.", "io.memwatch.shaded."};

  private final PackageGlobs include;
  private final PackageGlobs exclude;

  public UserCode(List<String> include, List<String> exclude) {
    this.include = new PackageGlobs(include);
    this.exclude = new PackageGlobs(exclude);
  }

  /** Whether the class with this binary name is the user's (the JDK's and memwatch's never are). */
  public boolean contains(String className) {
    return include.matches(className) && !exclude.matches(className) && !isJdk(className) && !isMemwatch(className);
  }

  public boolean isEmpty() {
    return include.isEmpty();
  }

  public List<String> include() {
    return include.globs();
  }

  /** The JDK's classes by name: what a frame of the sampler tells of a class. */
  public static boolean isJdk(String className) {
    return startsWithAny(className, JDK_PREFIXES);
  }

  public static boolean isMemwatch(String className) {
    return startsWithAny(className, MEMWATCH_PREFIXES);
  }

  private static boolean startsWithAny(String name, String[] prefixes) {
    for (String prefix : prefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
