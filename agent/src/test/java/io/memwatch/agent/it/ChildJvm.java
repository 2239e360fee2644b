package io.memwatch.agent.it;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real child JVM, usually with the packaged agent, whose output the test can wait on and whose metrics it can scrape. */
public final class ChildJvm implements AutoCloseable {
  private static final Pattern METRICS_URL = Pattern.compile("(http://\\S+/metrics)");

  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();

  private ChildJvm(Process process) {
    this.process = process;
    pump(process.getInputStream(), stdout, "stdout");
    pump(process.getErrorStream(), stderr, "stderr");
  }

  public static Path agentJar() {
    return Path.of(System.getProperty("test.agent.jar", "target/memwatch-agent.jar")).toAbsolutePath();
  }

  public static String fixtureClasspath() {
    return Path.of(System.getProperty("test.fixture.classes", "target/test-classes")).toAbsolutePath().toString();
  }

  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  public static Builder withAgent(String options) {
    return new Builder().jvmArg("-javaagent:" + agentJar() + (options.isEmpty() ? "" : "=" + options));
  }

  public static Builder withoutAgent() {
    return new Builder();
  }

  public static final class Builder {
    private final List<String> jvmArgs = new ArrayList<>();
    private String classpath = fixtureClasspath();

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    public Builder classpath(String classpath) {
      this.classpath = classpath;
      return this;
    }

    public ChildJvm run(Class<?> mainClass, String... args) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(java().toString());
      command.add("-Xshare:auto");
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(classpath);
      command.add(mainClass.getName());
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().keySet().removeIf(name -> name.startsWith("MEMWATCH_") || name.equals("JAVA_TOOL_OPTIONS"));
      return new ChildJvm(builder.start());
    }
  }

  private static void pump(InputStream stream, List<String> lines, String name) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "child-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  public long pid() {
    return process.pid();
  }

  public List<String> stdout() {
    return stdout;
  }

  public List<String> stderr() {
    return stderr;
  }

  /** The first stderr line matching {@code regex}, waiting up to {@code timeout}. */
  public String awaitStderr(String regex, Duration timeout) {
    Pattern pattern = Pattern.compile(regex);
    await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .alias("stderr line matching " + regex + "; stderr so far: " + stderr)
        .until(() -> stderr.stream().anyMatch(l -> pattern.matcher(l).find()));
    return stderr.stream().filter(l -> pattern.matcher(l).find()).findFirst().orElseThrow();
  }

  public String awaitStdout(String regex, Duration timeout) {
    Pattern pattern = Pattern.compile(regex);
    await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .alias("stdout line matching " + regex + "; stdout so far: " + stdout + " stderr: " + stderr)
        .until(() -> stdout.stream().anyMatch(l -> pattern.matcher(l).find()));
    return stdout.stream().filter(l -> pattern.matcher(l).find()).reduce((a, b) -> b).orElseThrow();
  }

  /** The metrics URL from the agent's start-up line. */
  public URI metricsUrl() {
    String line = awaitStderr("memwatch: serving metrics on http://", Duration.ofSeconds(60));
    Matcher matcher = METRICS_URL.matcher(line);
    if (!matcher.find()) {
      throw new AssertionError("no URL in " + line);
    }
    return URI.create(matcher.group(1));
  }

  public String scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(metricsUrl()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("scrape answered " + response.statusCode());
    }
    return response.body();
  }

  /** The value of an unlabelled sample in a scrape, if present. */
  public static Optional<Double> sample(String scrape, String name) {
    Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape);
    return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
  }

  /** VmRSS of the child from its /proc status file, in bytes. */
  public long residentSetBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new AssertionError("no VmRSS for " + pid());
  }

  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("child did not exit within " + timeout + "; stderr: " + stderr);
    }
    return process.exitValue();
  }

  /** Sends SIGTERM, as an orchestrator stopping the service would. */
  public void terminate() {
    process.destroy();
  }

  public void writeStdin(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  public void closeStdin() throws IOException {
    process.getOutputStream().close();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
