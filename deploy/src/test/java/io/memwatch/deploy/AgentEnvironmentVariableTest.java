package io.memwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.openshift.api.model.monitoring.v1.BasicAuth;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the pod loads memwatch by JDK_JAVA_OPTIONS and not JAVA_TOOL_OPTIONS, measured on real processes with the
 * packaged agent and the very value orders-service.yaml gives the variable (only the jar's path, the port and the
 * password file's path are this machine's): the service's {@code java} loads the agent and serves with basic auth;
 * a second {@code java} in the same environment, as one started by {@code kubectl exec}, loads it too, says in one
 * line that it cannot serve, and runs on to its own exit status; {@code jcmd} does not load it from
 * JDK_JAVA_OPTIONS, and would from JAVA_TOOL_OPTIONS.
 */
@TestMethodOrder(OrderAnnotation.class)
class AgentEnvironmentVariableTest {
  private static final Path AGENT_JAR = Path.of("..", "agent", "target", "memwatch-agent.jar").toAbsolutePath().normalize();
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration EXIT = Duration.ofSeconds(30);

  @TempDir
  static Path directory;

  private static String podValue;
  private static String jdkJavaOptions;
  private static int port;
  private static String user;
  private static String password;
  private static ChildProcess service;

  @BeforeAll
  static void startTheService() throws Exception {
    requireFile(AGENT_JAR, "the packaged agent; build it first: mvn -B install -DskipTests (or run mvn -B verify from the root)");
    requireFile(tool("jcmd"), "jcmd of this JDK (a JRE has none)");

    Manifests manifests = Manifests.load();
    Container app = manifests.all(Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> AgentCommandLine.of(c).isPresent())
        .findFirst().orElseThrow();
    AgentCommandLine agent = AgentCommandLine.of(app).orElseThrow();
    assertThat(agent.variable()).isEqualTo("JDK_JAVA_OPTIONS");
    podValue = agent.value();
    BasicAuth basicAuth = manifests.all(PodMonitor.class).get(0).getSpec().getPodMetricsEndpoints().get(0).getBasicAuth();
    user = secretValue(manifests, basicAuth.getUsername());
    password = secretValue(manifests, basicAuth.getPassword());
    Path passwordFile = Files.writeString(directory.resolve("password"), password + "\n");
    port = freePort();
    String args = Arrays.stream(agent.agentArgs().split(","))
        .map(pair -> pair.startsWith("port=") ? "port=" + port
            : pair.startsWith("basicAuthPasswordFile=") ? "basicAuthPasswordFile=" + passwordFile : pair)
        .collect(Collectors.joining(","));
    assertThat(args).contains("host=0.0.0.0", "basicAuthUser=" + user);
    jdkJavaOptions = agent.withAgent(AGENT_JAR.toString(), args);

    service = tinyMain(0, Map.of("JDK_JAVA_OPTIONS", jdkJavaOptions));
    service.awaitStderr(line -> line.startsWith("memwatch: serving metrics on "), START, "start-up line of memwatch");
  }

  @AfterAll
  static void stopTheService() throws InterruptedException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  @Order(1)
  void theJavaLauncherLoadsTheAgentFromJdkJavaOptionsAndServesWithBasicAuth() throws Exception {
    List<String> stderr = service.stderr();
    report("the service (java, JDK_JAVA_OPTIONS)", stderr);

    assertThat(podValue).startsWith("-XX:MaxRAMPercentage=75 -javaagent:/opt/memwatch/memwatch-agent.jar=port=9404,");
    assertThat(stderr).contains("NOTE: Picked up JDK_JAVA_OPTIONS: " + jdkJavaOptions);
    assertThat(stderr).contains("memwatch: serving metrics on http://0.0.0.0:" + port + "/metrics and the live page on http://0.0.0.0:"
        + port + "/");
    assertThat(stderr).contains("memwatch: metrics are served beyond loopback on 0.0.0.0 without TLS: the password and the metrics"
        + " cross the network in clear; see the option tlsKeyStore");
    assertThat(service.stdout()).contains("tiny main: running").noneMatch(line -> line.contains("memwatch"));

    assertThat(scrape(null).statusCode()).isEqualTo(401);
    assertThat(scrape(user + ":not-the-password").statusCode()).isEqualTo(401);
    HttpResponse<String> scrape = scrape(user + ":" + password);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).contains("memwatch_heap_used_bytes", "memwatch_rss_bytes");
  }

  @Test
  @Order(2)
  void aSecondJavaInTheContainerSaysInOneLineThatItCannotServeAndRunsOn() throws Exception {
    try (ChildProcess second = tinyMain(3, Map.of("JDK_JAVA_OPTIONS", jdkJavaOptions))) {
      second.awaitStderr(line -> line.startsWith("memwatch: cannot serve metrics on 0.0.0.0:" + port + " "), START,
          "line of memwatch that the port is taken");
      second.closeStdin();
      int status = second.awaitExit(EXIT);
      report("a second java (JDK_JAVA_OPTIONS), exit status " + status, second.stderr());

      assertThat(status).isEqualTo(3);
      assertThat(second.stdout()).containsExactly("tiny main: running", "tiny main: exits with 3");
      assertThat(second.stderr()).contains("NOTE: Picked up JDK_JAVA_OPTIONS: " + jdkJavaOptions);
      assertThat(memwatchLines(second.stderr())).singleElement().satisfies(line -> assertThat(line)
          .startsWith("memwatch: cannot serve metrics on 0.0.0.0:" + port + " (")
          .endsWith("Metrics stay off; the application runs on"));
    }
    assertThat(scrape(user + ":" + password).statusCode()).as("the service still serves").isEqualTo(200);
  }

  @Test
  @Order(3)
  void jcmdDoesNotLoadTheAgentFromJdkJavaOptions() throws Exception {
    long started = System.nanoTime();
    try (ChildProcess jcmd = ChildProcess.start(List.of(tool("jcmd").toString(), "-l"), Map.of("JDK_JAVA_OPTIONS", jdkJavaOptions))) {
      int status = jcmd.awaitExit(EXIT);
      report("jcmd -l (JDK_JAVA_OPTIONS), exit status " + status + ", " + millisSince(started) + " ms", jcmd.stderr());

      assertThat(status).isZero();
      assertThat(jcmd.stdout()).contains(service.pid() + " " + TinyMain.class.getName() + " 0");
      assertThat(jcmd.stderr()).noneMatch(line -> line.startsWith("memwatch:") || line.contains("Picked up"));
    }
  }

  @Test
  @Order(4)
  void jcmdWouldLoadItFromJavaToolOptions() throws Exception {
    long started = System.nanoTime();
    try (ChildProcess jcmd = ChildProcess.start(List.of(tool("jcmd").toString(), "-l"), Map.of("JAVA_TOOL_OPTIONS", jdkJavaOptions))) {
      int status = jcmd.awaitExit(EXIT);
      report("jcmd -l (JAVA_TOOL_OPTIONS), exit status " + status + ", " + millisSince(started) + " ms", jcmd.stderr());

      assertThat(status).isZero();
      assertThat(jcmd.stdout()).contains(service.pid() + " " + TinyMain.class.getName() + " 0");
      assertThat(jcmd.stderr()).contains("Picked up JAVA_TOOL_OPTIONS: " + jdkJavaOptions);
      assertThat(memwatchLines(jcmd.stderr())).isNotEmpty();
    }
  }

  @Test
  @Order(5)
  void theServiceExitsWithItsOwnStatus() throws Exception {
    service.closeStdin();
    int status = service.awaitExit(EXIT);

    assertThat(status).isZero();
    assertThat(service.stdout()).containsExactly("tiny main: running", "tiny main: exits with 0");
    assertThat(memwatchLines(service.stderr())).hasSize(2);
  }

  private static ChildProcess tinyMain(int status, Map<String, String> environment) throws URISyntaxException {
    String classes = Path.of(TinyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    return ChildProcess.start(
        List.of(tool("java").toString(), "-cp", classes, TinyMain.class.getName(), Integer.toString(status)), environment);
  }

  private static HttpResponse<String> scrape(String credentials) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10));
    if (credentials != null) {
      request.header("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String secretValue(Manifests manifests, SecretKeySelector selector) {
    return ManifestChecks.secretValue(manifests, selector.getName(), selector.getKey());
  }

  private static List<String> memwatchLines(List<String> stderr) {
    return stderr.stream().filter(line -> line.startsWith("memwatch:")).toList();
  }

  private static Path tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name);
  }

  private static void requireFile(Path file, String what) {
    if (Files.isRegularFile(file)) {
      return;
    }
    String message = "missing " + file + ": " + what;
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static void report(String what, List<String> stderr) {
    System.out.println(what + ", stderr:");
    stderr.forEach(line -> System.out.println("  " + line));
  }
}
