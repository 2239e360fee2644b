package io.memwatch.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose output lines are collected as they come, waited on with deadlines, and killed on
 * {@link #close()} if it still runs. It starts with the parent's environment less every variable a JVM or
 * memwatch reads options from, plus the ones given.
 */
final class ChildProcess implements AutoCloseable {
  private static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final Thread outReader;
  private final Thread errReader;

  private ChildProcess(Process process) {
    this.process = process;
    this.outReader = reader(process.getInputStream(), stdout, "stdout of " + process.pid());
    this.errReader = reader(process.getErrorStream(), stderr, "stderr of " + process.pid());
  }

  static ChildProcess start(List<String> command, Map<String, String> environment) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> OPTION_VARIABLES.contains(name) || name.startsWith("MEMWATCH_"));
    builder.environment().putAll(environment);
    try {
      return new ChildProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Thread reader(InputStream stream, List<String> lines, String name) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  long pid() {
    return process.pid();
  }

  List<String> stdout() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  List<String> stderr() {
    synchronized (stderr) {
      return List.copyOf(stderr);
    }
  }

  /** The first line of stderr that matches, waited for until the deadline; fails with what was said so far. */
  String awaitStderr(Predicate<String> wanted, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (stderr) {
      while (true) {
        for (String line : stderr) {
          if (wanted.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !errReader.isAlive())) {
          throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s (alive: " + process.isAlive()
              + "); stderr: " + stderr + "; stdout: " + stdout());
        }
        stderr.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      }
    }
  }

  /** Closes the child's standard input: {@link TinyMain} then exits. */
  void closeStdin() throws IOException {
    process.getOutputStream().close();
  }

  /** The exit status, waited for until the deadline, with the output read to its end. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + timeout.toSeconds() + " s; stderr: " + stderr() + "; stdout: " + stdout());
    }
    outReader.join(5_000);
    errReader.join(5_000);
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
