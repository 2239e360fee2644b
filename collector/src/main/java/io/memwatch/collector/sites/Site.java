package io.memwatch.collector.sites;

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
  /** The site as a stack-trace element reads: {@code com.example.Cache.put(Cache.java:42)}. */
  public String frame() {
    String where = file == null ? "Unknown Source" : line >= 0 ? file + ":" + line : file;
    return className + "." + method + "(" + where + ")";
  }
}
