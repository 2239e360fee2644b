package io.memwatch.collector.log;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * memwatch's only voice: one line on stderr, prefixed {@code memwatch:}.
 *
 * <p>Never stdout (it belongs to the host), never java.util.logging (touching it early breaks
 * hosts that install their own LogManager). Debug lines appear only with {@code debug=true}.
 */
public final class Log {
  /**
   * For memwatch's own threads: whatever escapes one ends it without a word in the host's log. The
   * JVM's default handler would print it, and in a heap the host has filled it cannot even do that
   * and says so ("OutOfMemoryError thrown from the UncaughtExceptionHandler in thread memwatch-...").
   */
  public static final Thread.UncaughtExceptionHandler SILENT_END = (thread, error) -> { };

  private static final Set<String> warned = ConcurrentHashMap.newKeySet();
  private static final RecentLines recent = new RecentLines(20);
  private static volatile boolean debug;

  private Log() {}

  public static void setDebug(boolean enabled) {
    debug = enabled;
  }

  public static void info(String message) {
    recent.add(message);
    System.err.println("memwatch: " + message);
  }

  public static void warn(String message) {
    recent.add(message);
    System.err.println("memwatch: " + message);
  }

  /** The last info and warning lines (debug lines are not kept). */
  public static RecentLines recent() {
    return recent;
  }

  /** Warns the first time {@code key} is seen, and never again. */
  public static void warnOnce(String key, String message) {
    if (warned.add(key)) {
      warn(message);
    }
  }

  /** Whether debug lines are printed: for a line that costs something to put together. */
  public static boolean debugging() {
    return debug;
  }

  public static void debug(String message) {
    if (debug) {
      System.err.println("memwatch: [debug] " + message);
    }
  }

  /** A debug line with the stack trace behind it: the only place memwatch prints one. */
  public static void debug(String message, Throwable cause) {
    if (debug) {
      System.err.println("memwatch: [debug] " + message + ": " + cause);
      cause.printStackTrace();
    }
  }
}
