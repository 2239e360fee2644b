package io.memwatch.benchmarks.workload;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of what the JVM allocated memwatch counted ({@code -Dworkload.coverage=true}): the JVM's own
 * count, the sum of {@code getThreadAllocatedBytes} over the threads alive at the end of the work (the
 * workers included), against {@code memwatch_allocated_bytes_total} from the agent's own /metrics once
 * it has stopped growing (the JVM's sampler reaches memwatch about a second late). Runs after the work
 * is timed, so it costs the timings nothing; threads that ended earlier are missing from the JVM's sum.
 */
final class Coverage {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Pattern TOTAL = Pattern.compile("(?m)^memwatch_allocated_bytes_total (\\S+)$");

  private Coverage() {}

  static boolean wanted() {
    return Boolean.getBoolean("workload.coverage");
  }

  /** The JVM's own count over the live threads. */
  static long jvmAllocatedBytes() {
    long sum = 0;
    for (long bytes : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
      sum += Math.max(0, bytes);
    }
    return sum;
  }

  /** A line for stderr: both counts and their ratio, or why there is no ratio. */
  static String report(long jvmBytes) throws InterruptedException {
    String url = System.getProperty("io.memwatch.agent.url");
    if (url == null) {
      return "workload: coverage jvmAllocatedMiB=" + (jvmBytes >> 20) + " (no memwatch here)";
    }
    HttpClient client = HttpClient.newHttpClient();
    double last = -1;
    for (int i = 0; i < 40; i++) {
      double now = memwatchTotal(client, url);
      if (now > 0 && Math.abs(now - last) < 0.001 * now) {
        break; // stable: the sampler's events are in
      }
      last = now;
      Thread.sleep(500);
    }
    return String.format("workload: coverage jvmAllocatedMiB=%d memwatchAllocatedMiB=%d ratio=%.3f",
        jvmBytes >> 20, (long) last >> 20, last / jvmBytes);
  }

  private static double memwatchTotal(HttpClient client, String url) throws InterruptedException {
    try {
      String body = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher matcher = TOTAL.matcher(body);
      return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
