package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end, as a user runs it: the demo service in a child JVM with the packaged agent, scraped every second
 * by a real Prometheus on loopback that loads memwatch's alert rules. Every query of the dashboard (and of its
 * template variables and annotation) returns data from the agent's real series, and the leak alert fires for
 * the demo's leaking endpoint.
 *
 * <p>Needs {@code prometheus} on the PATH: skipped without it, except on CI ({@code CI=true}), where it fails.
 * Needs the agent and demo jars, which {@code mvn verify} packages before this module's tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusEndToEndTest {
  static final String NOT_INSTALLED = "prometheus not installed: apt-get install prometheus";
  static final String AGENT_JAR = "../agent/target/memwatch-agent.jar";
  static final String DEMO_JAR = "../scripts/demo/target/memwatch-demo.jar";
  static final String JOB = "memwatch";
  static final String LEAK_ALERT = "MemwatchLeakSuspected";
  /** The field that keeps the demo's leak: its global list of every request's data. */
  static final String DEMO_RETAINER = "example.demo.DemoService.LEAKED ";

  /**
   * The child's command line after {@code java}: the demo as {@code scripts/demo.sh} runs it, 20
   * requests a second to {@code /ok} and {@code /leak}, which keeps about 100 KB a request (2 MB/s),
   * in a 512 MiB heap with the JVM's default layout, and the agent at its default options (only a
   * free port). The agent suspects the leak about a minute after the start, the rule fires a minute
   * later, and the heap would run out after about four minutes.
   */
  static final List<String> CHILD_ARGS_AFTER_AGENT = List.of(
      "-jar", "DEMO_JAR", "--port", "0", "--load", "20", "--paths", "/ok,/leak");
  static final String CHILD_HEAP = "512m";
  static final String AGENT_OPTIONS = "port=0";

  /** What Grafana puts in place of its own variables; {@code $__rate_interval} is at least 4 × 15 s scrapes. */
  static final Map<String, String> GRAFANA_BUILTINS = Map.of(
      "$__rate_interval", "1m",
      "$__interval", "15s",
      "$__range", "1h");

  /**
   * Dashboard queries that may return nothing here, each with why. They must all read
   * {@code memwatch_memory_limit_bytes} (checked), and they must return data wherever that series exists.
   */
  static final Map<String, String> EMPTY_WITHOUT_CONTAINER_LIMIT = Map.of(
      "memwatch_memory_limit_bytes{cluster=~\"$cluster\", job=~\"$job\", instance=~\"$instance\"}",
      "\"Process memory\" panel, container limit: the agent exports the limit only when the process runs under"
          + " a cgroup memory limit (memory.max or memory.limit_in_bytes); the test machines have none",
      "memwatch_rss_bytes{cluster=~\"$cluster\", job=~\"$job\", instance=~\"$instance\"} / on (cluster, job, instance)"
          + " memwatch_memory_limit_bytes{cluster=~\"$cluster\", job=~\"$job\", instance=~\"$instance\"}",
      "\"RSS / container limit\" stat: a ratio against the container limit, absent without one");

  /**
   * Dashboard queries that return nothing until a leak is suspected, each with why; they must return
   * data once the leak alert fires for the leaking demo.
   */
  static final Map<String, String> EMPTY_UNTIL_LEAK_SUSPECTED = Map.of(
      "sum by (cluster, instance, retainer) (memwatch_leak_retainer_bytes{cluster=~\"$cluster\", job=~\"$job\","
          + " instance=~\"$instance\"})",
      "\"What keeps the leak\" table: retainers are looked for on a suspicion and dropped when it is lifted");

  static final Duration START_DEADLINE = Duration.ofSeconds(30);
  static final Duration DATA_DEADLINE = Duration.ofSeconds(120);
  /** From the child's start: suspicion within 75 s of the leak's, then the rule's `for: 1m`. */
  static final Duration ALERT_DEADLINE = Duration.ofSeconds(220);
  /** After the alert fires: memwatch searches for what keeps a leak up to four times, 20 s apart. */
  static final Duration RETAINER_DEADLINE = Duration.ofSeconds(90);

  static final Pattern METRICS_LINE = Pattern.compile("memwatch: .*(http://([^/\\s]+)/metrics)");
  static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.+),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)$");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static Path workDir;
  private static LoggedProcess demo;
  private static LoggedProcess prometheus;
  private static Instant demoStarted;
  private static String target;
  private static String prometheusUrl;
  private static JsonNode dashboard;
  private static Thread shutdownHook;

  @BeforeAll
  static void start() throws Exception {
    Path prometheusBinary = requirePrometheus();
    Path agentJar = requireJar(AGENT_JAR, "agent");
    Path demoJar = requireJar(DEMO_JAR, "scripts/demo");
    dashboard = JSON.readTree(ModuleFiles.path(DashboardStructureTest.DASHBOARD.toString()).toFile());
    workDir = Files.createTempDirectory("memwatch-e2e-");
    shutdownHook = new Thread(PrometheusEndToEndTest::stopAll, "memwatch-e2e-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);

    startDemo(agentJar, demoJar);
    startPrometheus(prometheusBinary);
  }

  @AfterAll
  static void stop() {
    stopAll();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        System.err.println("PrometheusEndToEndTest: could not delete " + workDir + ": " + e);
      }
    }
  }

  private static synchronized void stopAll() {
    for (LoggedProcess process : new LoggedProcess[] {prometheus, demo}) {
      if (process != null) {
        process.stop();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- tests

  @Test
  @Order(1)
  void prometheusScrapesTheAgentAndLoadsTheRules() throws Exception {
    awaitOrFail(DATA_DEADLINE, "Prometheus scraping the agent with job=\"" + JOB + "\"", () -> {
      JsonNode up = query("up{job=\"" + JOB + "\", instance=\"" + target + "\"} == 1");
      return up.isEmpty() ? Optional.of("up is not 1 yet: " + apiGet("/api/v1/targets").path("data")) : Optional.empty();
    });
    awaitOrFail(DATA_DEADLINE, "every alert rule evaluated without error", () -> {
      List<String> problems = new ArrayList<>();
      int rules = 0;
      for (JsonNode group : apiGet("/api/v1/rules").path("data").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          rules++;
          if (!"ok".equals(rule.path("health").asText())) {
            problems.add(rule.path("name").asText() + ": health " + rule.path("health").asText() + " "
                + rule.path("lastError").asText());
          }
        }
      }
      if (rules == 0) {
        problems.add("no rules loaded");
      }
      return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", problems));
    });
  }

  /**
   * The variables' choices: this job and instance, and no cluster, as this Prometheus adds no cluster label;
   * {@code $cluster} then offers only All, whose {@code .*} matches the label's absence (checked with every query).
   */
  @Test
  @Order(2)
  void theTemplateVariablesOfferThisJobAndInstanceAndNoCluster() throws Exception {
    Map<String, Set<String>> expected = Map.of("cluster", Set.of(), "job", Set.of(JOB), "instance", Set.of(target));
    int checked = 0;
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      String name = variable.path("name").asText();
      String definition = variable.path("query").isObject()
          ? variable.path("query").path("query").asText() : variable.path("query").asText();
      Matcher matcher = LABEL_VALUES.matcher(definition.trim());
      assertThat(matcher.matches()).as("$" + name + " is a label_values(selector, label) query: " + definition).isTrue();
      assertThat(expected).as("$" + name + " is a variable this test knows").containsKey(name);
      // What Grafana asks Prometheus for such a variable: the label's values among the selector's series.
      for (Selection selection : Selection.values()) {
        String selector = substitute(matcher.group(1), selection);
        String label = matcher.group(2);
        awaitOrFail(DATA_DEADLINE, "$" + name + " (" + selection + "): " + label + " values of " + selector, () -> {
          JsonNode values = apiGet("/api/v1/label/" + label + "/values?match[]=" + encode(selector)).path("data");
          Set<String> found = new TreeSet<>();
          values.forEach(v -> found.add(v.asText()));
          return found.equals(expected.get(name)) ? Optional.empty()
              : Optional.of("got " + found + ", expected " + expected.get(name));
        });
        checked++;
      }
    }
    assertThat(checked).as("template variable queries checked").isEqualTo(expected.size() * Selection.values().length);
  }

  @Test
  @Order(3)
  void everyDashboardQueryReturnsData() throws Exception {
    List<DashboardQuery> queries = dashboardQueries();
    assertThat(queries).as("dashboard queries").hasSizeGreaterThanOrEqualTo(10);
    Set<String> expressions = new TreeSet<>();
    queries.forEach(q -> expressions.add(q.expr()));
    assertThat(expressions).as("every query listed as possibly empty is in the dashboard")
        .containsAll(EMPTY_WITHOUT_CONTAINER_LIMIT.keySet()).containsAll(EMPTY_UNTIL_LEAK_SUSPECTED.keySet());
    for (DashboardQuery q : queries) {
      boolean readsLimit = PromQl.metricNames(q.expr()).contains("memwatch_memory_limit_bytes");
      assertThat(EMPTY_WITHOUT_CONTAINER_LIMIT.containsKey(q.expr()))
          .as("%s: possibly empty exactly when it reads memwatch_memory_limit_bytes", q).isEqualTo(readsLimit);
      boolean readsRetainers = PromQl.metricNames(q.expr()).contains("memwatch_leak_retainer_bytes");
      assertThat(EMPTY_UNTIL_LEAK_SUSPECTED.containsKey(q.expr()))
          .as("%s: empty until a suspicion exactly when it reads memwatch_leak_retainer_bytes", q).isEqualTo(readsRetainers);
    }

    Map<String, String> lastEmpty = new LinkedHashMap<>();
    awaitOrFail(DATA_DEADLINE, "every dashboard query returns at least one series", () -> {
      lastEmpty.clear();
      boolean hasLimit = !query("memwatch_memory_limit_bytes{job=\"" + JOB + "\"}").isEmpty();
      List<String> failing = new ArrayList<>();
      for (DashboardQuery q : queries) {
        for (Selection selection : Selection.values()) {
          String sent = substitute(q.expr(), selection);
          JsonNode result = query(sent);
          if (!result.isEmpty() || EMPTY_UNTIL_LEAK_SUSPECTED.containsKey(q.expr())) {
            continue; // the latter are checked once the leak alert fires
          }
          if (EMPTY_WITHOUT_CONTAINER_LIMIT.containsKey(q.expr()) && !hasLimit) {
            lastEmpty.put(q + " (" + selection + ")", EMPTY_WITHOUT_CONTAINER_LIMIT.get(q.expr()));
            continue;
          }
          failing.add(q + " (" + selection + ")\n      sent: " + sent);
        }
      }
      return failing.isEmpty() ? Optional.empty() : Optional.of("no data for:\n  " + String.join("\n  ", failing));
    });
    System.err.println("PrometheusEndToEndTest: " + queries.size() + " dashboard queries returned data for both "
        + "selections; empty as expected:");
    lastEmpty.forEach((q, why) -> System.err.println("  " + q + ": " + why));
  }

  @Test
  @Order(4)
  void theLeakAlertFiresForTheLeakingDemo() throws Exception {
    Duration left = Duration.between(Instant.now(), demoStarted.plus(ALERT_DEADLINE));
    awaitOrFail(left.isNegative() ? Duration.ZERO : left, LEAK_ALERT + " firing for " + target, () -> {
      Optional<JsonNode> alert = leakAlert();
      return alert.isPresent() && "firing".equals(alert.get().path("state").asText()) ? Optional.empty()
          : Optional.of("alert: " + alert.map(JsonNode::toString).orElse("none") + "\n" + leakDiagnostics());
    });
    System.err.println("PrometheusEndToEndTest: " + LEAK_ALERT + " fired "
        + Duration.between(demoStarted, Instant.now()).toSeconds() + " s after the demo started");

    JsonNode alert = leakAlert().orElseThrow();
    assertThat(alert.path("labels").path("job").asText()).isEqualTo(JOB);
    assertThat(alert.path("labels").path("instance").asText()).isEqualTo(target);
    assertThat(alert.path("labels").path("severity").asText()).isEqualTo("warning");
    assertThat(alert.path("annotations").path("description").asText()).as("templated description")
        .contains(target).contains("job " + JOB);

    assertThat(query("memwatch_leak_suspected{job=\"" + JOB + "\", instance=\"" + target + "\"} == 1"))
        .as("memwatch_leak_suspected == 1\n" + leakDiagnostics()).isNotEmpty();
    JsonNode growth = query("memwatch_heap_growth_bytes_per_second{job=\"" + JOB + "\", instance=\"" + target + "\"}");
    assertThat(growth).isNotEmpty();
    assertThat(growth.get(0).path("value").get(1).asDouble()).as("live-set growth while suspected").isPositive();
    JsonNode exhaustion = query("memwatch_heap_exhaustion_seconds{job=\"" + JOB + "\", instance=\"" + target + "\"}");
    assertThat(exhaustion).isNotEmpty();
    assertThat(exhaustion.get(0).path("value").get(1).asDouble()).as("projected exhaustion while suspected")
        .isPositive().isLessThan(3600);

    // The dashboard's alert annotation shows the firing alert for this instance.
    for (JsonNode annotation : dashboard.path("annotations").path("list")) {
      String expr = annotation.path("expr").asText();
      if (expr.isBlank()) {
        continue;
      }
      for (Selection selection : Selection.values()) {
        JsonNode result = query(substitute(expr, selection));
        assertThat(result).as("annotation \"%s\" (%s): %s", annotation.path("name").asText(), selection, expr)
            .anySatisfy(series -> assertThat(series.path("metric").path("alertname").asText()).isEqualTo(LEAK_ALERT));
      }
    }

    // What keeps the leak: the demo's global list, on the dashboard's table and in the alert. The
    // search for it may be made again at later collections, when the first one named nothing.
    awaitOrFail(RETAINER_DEADLINE, "the retainer " + DEMO_RETAINER.trim() + " on the dashboard and in the alert", () -> {
      List<String> failing = new ArrayList<>();
      for (String expr : EMPTY_UNTIL_LEAK_SUSPECTED.keySet()) {
        for (Selection selection : Selection.values()) {
          JsonNode result = query(substitute(expr, selection));
          boolean named = false;
          for (JsonNode series : result) {
            named |= series.path("metric").path("retainer").asText().startsWith(DEMO_RETAINER);
          }
          if (!named) {
            failing.add(expr + " (" + selection + "): " + result);
          }
        }
      }
      String annotation = leakAlert().map(firing -> firing.path("annotations").path("retainer").asText()).orElse("(no alert)");
      if (!annotation.startsWith(DEMO_RETAINER)) {
        failing.add("the alert's retainer annotation: " + annotation);
      }
      return failing.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", failing));
    });
  }

  // ---------------------------------------------------------------------------------------------- setup

  static Path requirePrometheus() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, "prometheus");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(NOT_INSTALLED + " (CI=true: this test must run on CI)");
    }
    Assumptions.abort(NOT_INSTALLED);
    throw new AssertionError("unreachable");
  }

  static Path requireJar(String relative, String module) {
    Path jar = ModuleFiles.path(relative).normalize();
    if (!Files.isRegularFile(jar)) {
      fail(jar + " is missing: package the " + module + " module first (run `mvn verify` from the repository root, "
          + "or `mvn -pl " + module + " -am package -DskipTests`)");
    }
    return jar;
  }

  /** The demo as {@code scripts/demo.sh} runs it, with the agent at its default options but a free port. */
  static List<String> demoCommand(Path agentJar, Path demoJar) {
    return demoCommand(agentJar, demoJar, CHILD_HEAP);
  }

  /** The demo, leaking about 2 MiB/s, in a heap of {@code heap} ({@code -Xmx}); JVM defaults otherwise. */
  static List<String> demoCommand(Path agentJar, Path demoJar, String heap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-javaagent:" + agentJar + "=" + AGENT_OPTIONS);
    for (String arg : CHILD_ARGS_AFTER_AGENT) {
      command.add(arg.equals("DEMO_JAR") ? demoJar.toString() : arg);
    }
    return command;
  }

  /** Only the options given on the command line: no other agent, no memwatch settings from the environment. */
  static void onlyTheGivenOptions(Map<String, String> env) {
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    env.remove("_JAVA_OPTIONS");
    env.keySet().removeIf(k -> k.startsWith("MEMWATCH_"));
  }

  private static void startDemo(Path agentJar, Path demoJar) throws Exception {
    demoStarted = Instant.now();
    demo = LoggedProcess.start("demo", demoCommand(agentJar, demoJar), workDir, PrometheusEndToEndTest::onlyTheGivenOptions);
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (true) {
      for (String line : demo.errLines()) {
        Matcher matcher = METRICS_LINE.matcher(line);
        if (matcher.find()) {
          target = matcher.group(2);
          assertThat(target).as("the agent binds loopback by default").startsWith("127.0.0.1:");
          return;
        }
      }
      if (!demo.isAlive() || Instant.now().isAfter(deadline)) {
        fail("the demo with the agent printed no 'memwatch: ... http://HOST:PORT/metrics' line on stderr within "
            + START_DEADLINE.toSeconds() + " s (" + (demo.isAlive() ? "still running" : "exited with "
            + demo.exitValue()) + ")\n" + demo.tails());
      }
      Thread.sleep(100);
    }
  }

  private static void startPrometheus(Path binary) throws Exception {
    // A copy of the rules, as an operator would deploy them; absolute paths, single-quoted YAML scalars.
    Path rules = workDir.resolve("memwatch-alerts.yml");
    Files.copy(ModuleFiles.path(AlertRulesTest.RULES), rules);
    Path config = workDir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "# Generated by PrometheusEndToEndTest",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files:",
        "  - " + yamlQuote(rules.toString()),
        "scrape_configs:",
        "  - job_name: " + JOB,
        "    metrics_path: /metrics",
        "    static_configs:",
        "      - targets:",
        "          - " + yamlQuote(target),
        ""), StandardCharsets.UTF_8);

    // The free port is found, closed and then taken by Prometheus: another process may take it in between,
    // so a Prometheus that exits before it is ready gets another port.
    for (int attempt = 1; ; attempt++) {
      int port = freeLoopbackPort();
      prometheusUrl = "http://127.0.0.1:" + port;
      Path data = Files.createDirectories(workDir.resolve("data-" + attempt));
      prometheus = LoggedProcess.start("prometheus-" + attempt, List.of(binary.toString(),
          "--config.file=" + config,
          "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port), workDir, env -> { });
      Instant deadline = Instant.now().plus(START_DEADLINE);
      while (prometheus.isAlive() && Instant.now().isBefore(deadline)) {
        try {
          HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/-/ready"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          if (ready.statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      if (prometheus.isAlive() || attempt == 3) {
        fail("Prometheus was not ready at " + prometheusUrl + "/-/ready within " + START_DEADLINE.toSeconds()
            + " s\nconfig " + config + ":\n" + Files.readString(config) + "\n" + prometheus.tails());
      }
      System.err.println("PrometheusEndToEndTest: Prometheus exited before it was ready, trying another port:\n"
          + prometheus.tails());
    }
  }

  static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static String yamlQuote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  // ---------------------------------------------------------------------------------------------- queries

  /** A query of a dashboard panel's target. */
  record DashboardQuery(String panel, String refId, String expr) {
    @Override
    public String toString() {
      return "panel \"" + panel + "\" " + refId + ": " + expr;
    }
  }

  /** Every panel target's query, those of panels nested in collapsed rows included. */
  static List<DashboardQuery> dashboardQueries() {
    List<DashboardQuery> queries = new ArrayList<>();
    collect(dashboard.path("panels"), queries);
    return queries;
  }

  static void collect(JsonNode panels, List<DashboardQuery> into) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        if (!target.path("expr").asText().isBlank()) {
          into.add(new DashboardQuery(panel.path("title").asText(), target.path("refId").asText(),
              target.path("expr").asText()));
        }
      }
      collect(panel.path("panels"), into);
    }
  }

  /**
   * The two ways a user looks at the dashboard here: its default (All), and this one job and instance chosen.
   * {@code $cluster} is All in both, the only choice it offers without a cluster label.
   */
  enum Selection {
    ALL, THIS_INSTANCE;

    @Override
    public String toString() {
      return this == ALL ? "cluster, job and instance: All" : "cluster All, job and instance chosen";
    }
  }

  /**
   * The query as Grafana sends it: its own variables replaced, All as the variables' allValue {@code .*}, and a
   * chosen value of these multi-value variables regex-escaped (Grafana's Prometheus datasource escapes
   * {@code .} as {@code \\.} inside the PromQL string). {@code $cluster} is All: {@code cluster=~".*"} matches
   * these series, which have no cluster label, as the empty string matches {@code .*}.
   */
  static String substitute(String expr, Selection selection) {
    String result = expr;
    for (Map.Entry<String, String> builtin : GRAFANA_BUILTINS.entrySet()) {
      result = result.replace("${" + builtin.getKey().substring(1) + "}", builtin.getValue())
          .replace(builtin.getKey(), builtin.getValue());
    }
    String job = selection == Selection.ALL ? ".*" : promQlRegexEscape(JOB);
    String instance = selection == Selection.ALL ? ".*" : promQlRegexEscape(target);
    result = result.replace("${cluster}", ".*").replace("$cluster", ".*")
        .replace("${job}", job).replace("$job", job)
        .replace("${instance}", instance).replace("$instance", instance);
    assertThat(result).as("every variable of %s is known to the test", expr).doesNotContain("$");
    return result;
  }

  static String promQlRegexEscape(String value) {
    return value.replaceAll("([\\\\^$.|?*+()\\[\\]{}])", "\\\\\\\\$1");
  }

  /** The result vector of an instant query; fails on an error from Prometheus. */
  static JsonNode query(String promQl) throws IOException, InterruptedException {
    JsonNode response = apiGet("/api/v1/query?query=" + encode(promQl));
    return response.path("data").path("result");
  }

  static JsonNode apiGet(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + pathAndQuery + ": HTTP " + response.statusCode() + ", not JSON: " + response.body());
    }
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("GET " + pathAndQuery + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return body;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static Optional<JsonNode> leakAlert() throws IOException, InterruptedException {
    for (JsonNode alert : apiGet("/api/v1/alerts").path("data").path("alerts")) {
      if (LEAK_ALERT.equals(alert.path("labels").path("alertname").asText())
          && target.equals(alert.path("labels").path("instance").asText())) {
        return Optional.of(alert);
      }
    }
    return Optional.empty();
  }

  /** The live set's trend and the agent's verdict as Prometheus stored them, for a leak that was not seen. */
  private static String leakDiagnostics() {
    StringBuilder out = new StringBuilder("the agent's figures in Prometheus (seconds since the demo started):\n");
    for (String metric : List.of("memwatch_heap_live_bytes", "memwatch_leak_suspected",
        "memwatch_heap_growth_bytes_per_second", "memwatch_heap_exhaustion_seconds", "memwatch_heap_max_bytes")) {
      try {
        JsonNode result = query(metric + "{job=\"" + JOB + "\", instance=\"" + target + "\"}[5m]");
        out.append("  ").append(metric).append(':');
        if (result.isEmpty()) {
          out.append(" no samples");
        } else {
          String previous = null;
          int shown = 0;
          for (JsonNode sample : result.get(0).path("values")) {
            String value = sample.get(1).asText();
            if (!value.equals(previous) && shown++ < 40) {
              long at = Math.round(sample.get(0).asDouble() - demoStarted.toEpochMilli() / 1000.0);
              out.append(' ').append(at).append("s=").append(value);
            }
            previous = value;
          }
        }
        out.append('\n');
      } catch (IOException | InterruptedException | AssertionError e) {
        out.append("  ").append(metric).append(": ").append(e).append('\n');
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------- waiting

  interface Check {
    /** Empty when satisfied, else what is still wrong. */
    Optional<String> problem() throws Exception;
  }

  /** Polls {@code check} until it passes; fails with its last complaint and both processes' log tails. */
  static void awaitOrFail(Duration within, String what, Check check) throws Exception {
    Instant deadline = Instant.now().plus(within);
    Optional<String> problem;
    while (true) {
      if (!demo.isAlive() || !prometheus.isAlive()) {
        fail(what + ": " + (demo.isAlive() ? "Prometheus" : "the demo") + " exited\n" + demo.tails() + prometheus.tails());
      }
      problem = check.problem();
      if (problem.isEmpty()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        break;
      }
      Thread.sleep(2000);
    }
    fail("not within " + within.toSeconds() + " s: " + what + "\n" + problem.get() + "\n" + demo.tails()
        + prometheus.tails());
  }

  // ---------------------------------------------------------------------------------------------- processes

  /** A child process whose stdout and stderr go to files, so it can never block on a full pipe. */
  static final class LoggedProcess {
    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;

    private LoggedProcess(String name, Process process, Path out, Path err) {
      this.name = name;
      this.process = process;
      this.out = out;
      this.err = err;
    }

    static LoggedProcess start(String name, List<String> command, Path dir,
        java.util.function.Consumer<Map<String, String>> environment) throws IOException {
      Path out = dir.resolve(name + ".out");
      Path err = dir.resolve(name + ".err");
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      environment.accept(builder.environment());
      System.err.println("PrometheusEndToEndTest: starting " + name + ": " + String.join(" ", command));
      return new LoggedProcess(name, builder.start(), out, err);
    }

    boolean isAlive() {
      return process.isAlive();
    }

    int exitValue() {
      return process.exitValue();
    }

    List<String> errLines() {
      return lines(err);
    }

    /** Destroys the process, forcibly if it has not ended within 10 s. */
    void stop() {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    String tails() {
      return tail("stdout", out) + tail("stderr", err);
    }

    private String tail(String stream, Path file) {
      List<String> lines = lines(file);
      if (lines.isEmpty()) {
        return "--- " + name + " " + stream + ": empty\n";
      }
      List<String> last = lines.subList(Math.max(0, lines.size() - 40), lines.size());
      return "--- " + name + " " + stream + " (last " + last.size() + " of " + lines.size() + " lines)\n"
          + String.join("\n", last) + "\n";
    }

    private static List<String> lines(Path file) {
      try {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
      } catch (IOException e) {
        return List.of("(could not read " + file + ": " + e + ")");
      }
    }
  }
}
