package io.memwatch.benchmarks.workload;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * The heap's live bytes after the work ({@code -Dworkload.liveHeap=true}), from the JVM's class
 * histogram (the same as {@code jcmd PID GC.class_histogram}, which collects the whole heap first).
 * The work leaves nothing reachable of its own, so what a run with an agent holds beyond the
 * baseline's is the agent's heap; the instances of memwatch's own classes are counted apart (its
 * arrays and Strings are not, so that figure is a lower bound).
 */
final class LiveHeap {
  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
  private static final Pattern ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

  private LiveHeap() {}

  static boolean wanted() {
    return Boolean.getBoolean("workload.liveHeap");
  }

  /** A line for stderr: the live heap and the part of it that is instances of memwatch's classes. */
  static String report() throws Exception {
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Matcher total = TOTAL.matcher(histogram);
    if (!total.find()) {
      return "workload: liveHeap unreadable";
    }
    long memwatch = 0;
    for (Matcher row = ROW.matcher(histogram); row.find(); ) {
      if (row.group(2).startsWith("io.memwatch.") && !row.group(2).startsWith("io.memwatch.benchmarks.")) {
        memwatch += Long.parseLong(row.group(1));
      }
    }
    return String.format("workload: liveHeap liveKiB=%d memwatchClassesKiB=%d",
        Long.parseLong(total.group(1)) >> 10, memwatch >> 10);
  }
}
