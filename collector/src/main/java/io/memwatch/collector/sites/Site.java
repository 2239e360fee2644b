package io.memwatch.collector.sites;

import java.util.Objects;

/**
 * Where an allocation happens and what it allocates.
 *
 * @param className the allocating class, dotted: {@code com.example.Cache}
 * @param method the allocating method's name ({@code <init>}, {@code <clinit>}, {@code lambda$run$0}...)
 * @param file the source file, or null when the class was compiled without it
 * @param line the source line, or -1 when unknown
 * @param type the allocated type as Java writes it: {@code java.lang.String}, {@code byte[]}
 */
public record Site(String className, String method, String file, int line, String type) {
  // equals and hashCode written out: a record's own are bootstrapped through invokedynamic on first
  // use, ~10 ms of the interpreter when the first class with a `new` loads, before the host's main.
  @Override
  public boolean equals(Object other) {
    return other instanceof Site site && line == site.line && Objects.equals(className, site.className)
        && Objects.equals(method, site.method) && Objects.equals(file, site.file) && Objects.equals(type, site.type);
  }

  @Override
  public int hashCode() {
    return Objects.hash(className, method, file, line, type);
  }

  /** The site as a stack-trace element reads: {@code com.example.Cache.put(Cache.java:42)}. */
  public String frame() {
    String where = file == null ? "Unknown Source" : line >= 0 ? file + ":" + line : file;
    return className + "." + method + "(" + where + ")";
  }
}
