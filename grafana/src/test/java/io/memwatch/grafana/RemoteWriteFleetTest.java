package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.memwatch.grafana.PrometheusEndToEndTest.DashboardQuery;
import io.memwatch.grafana.PrometheusEndToEndTest.LoggedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fleet path, end to end with two real Prometheus processes: a cluster's Prometheus, run from the shipped
 * {@code grafana/prometheus/remote-write.yml}, scrapes two demo JVMs with the agent and writes everything to a
 * central Prometheus that only receives ({@code --web.enable-remote-write-receiver}, no scrape configs), as
 * Thanos Receive, Mimir or VictoriaMetrics would. On that receiver, every query of the dashboard (panels,
 * template variables, the alert annotation) returns data for each of the two instances with {@code $cluster}
 * All or set to the cluster's external label, which the series carry, and nothing with another cluster chosen;
 * the leak alert of each demo arrives as its {@code ALERTS} series.
 *
 * <p>Only the shipped file's targets, remote-write URL and intervals are replaced (its YAML is parsed, those
 * fields set, and the result written next to a copy of the rule files it loads, at the same relative paths).
 *
 * <p>Needs {@code prometheus} on the PATH: skipped without it, except on CI ({@code CI=true}), where it fails.
 * Needs the agent and demo jars, which {@code mvn verify} packages before this module's tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteWriteFleetTest {
  static final String CONFIG = "prometheus/remote-write.yml";
  /** The shipped placeholder of the central store's URL, replaced by the receiver's. */
  static final String CENTRAL_URL_PLACEHOLDER = "http://central:9090/api/v1/write";
  /** Scrape and rule evaluation interval of the cluster's Prometheus here (15 s in the shipped file). */
  static final String INTERVAL = "1s";
  static final int DEMOS = 2;
  /**
   * Each demo's heap: room for the whole test. At 512 MiB a demo runs out about 250 s after its start,
   * and two of them beside two Prometheus servers on a busy machine can take that long to reach the
   * retainers' check; a JVM thrashing at its limit is not scraped, and every query then comes back empty.
   */
  static final String DEMO_HEAP = "1g";
  /** A cluster that writes nothing to the receiver, chosen in {@code $cluster}. */
  static final String OTHER_CLUSTER = "cluster-2";
  /** How long remote write may take on top of a deadline met on the cluster's Prometheus (it sends within 5 s). */
  static final Duration SEND_SLACK = Duration.ofSeconds(20);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static Path workDir;
  /** Every child process started, for the cleanup. */
  private static final List<LoggedProcess> started = new ArrayList<>();
  private static final List<LoggedProcess> demos = new ArrayList<>();
  /** The demos' agent addresses, as scraped: each one's {@code instance} label. */
  private static final List<String> instances = new ArrayList<>();
  private static LoggedProcess receiver;
  private static LoggedProcess cluster;
  private static String receiverUrl;
  private static String clusterUrl;
  private static String clusterLabel;
  private static Path clusterConfig;
  private static Instant demosStarted;
  private static JsonNode dashboard;
  private static Thread shutdownHook;

  @BeforeAll
  static void start() throws Exception {
    Path prometheusBinary = PrometheusEndToEndTest.requirePrometheus();
    Path agentJar = PrometheusEndToEndTest.requireJar(PrometheusEndToEndTest.AGENT_JAR, "agent");
    Path demoJar = PrometheusEndToEndTest.requireJar(PrometheusEndToEndTest.DEMO_JAR, "scripts/demo");
    dashboard = JSON.readTree(ModuleFiles.path(DashboardStructureTest.DASHBOARD.toString()).toFile());
    workDir = Files.createTempDirectory("memwatch-fleet-");
    shutdownHook = new Thread(RemoteWriteFleetTest::stopAll, "memwatch-fleet-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);

    startDemos(agentJar, demoJar);

    // The central store: receives remote writes, scrapes nothing.
    Path receiverConfig = Files.createDirectories(workDir.resolve("receiver")).resolve("prometheus.yml");
    Files.writeString(receiverConfig, "# Generated by RemoteWriteFleetTest: the central store, fed by remote write only\n"
        + "scrape_configs: []\n", StandardCharsets.UTF_8);
    Started central = startPrometheus("receiver", prometheusBinary, receiverConfig,
        List.of("--web.enable-remote-write-receiver"));
    receiver = central.process();
    receiverUrl = central.url();

    clusterConfig = clusterConfig();
    Started near = startPrometheus("cluster", prometheusBinary, clusterConfig, List.of());
    cluster = near.process();
    clusterUrl = near.url();
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
        System.err.println("RemoteWriteFleetTest: could not delete " + workDir + ": " + e);
      }
    }
  }

  /** Stops every child process started, the last started first. */
  private static synchronized void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).stop();
    }
  }

  // ---------------------------------------------------------------------------------------------- tests

  @Test
  @Order(1)
  void promtoolChecksTheShippedConfigAndTheRulesItLoads() throws Exception {
    Promtool.Result result = Promtool.run(ModuleFiles.baseDir(), "check", "config", CONFIG);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).as(result.describe()).contains("SUCCESS: 1 rule files found");
  }

  @Test
  @Order(2)
  void theReceiverHasBothInstancesByRemoteWriteOnly() throws Exception {
    awaitOrFail(PrometheusEndToEndTest.DATA_DEADLINE, "the cluster's Prometheus scraping both demos", () -> {
      List<String> down = new ArrayList<>();
      for (String instance : instances) {
        if (query(clusterUrl, "up{job=\"" + PrometheusEndToEndTest.JOB + "\", instance=\"" + instance + "\"} == 1").isEmpty()) {
          down.add(instance);
        }
      }
      return down.isEmpty() ? Optional.empty()
          : Optional.of("up is not 1 yet for " + down + ": " + apiGet(clusterUrl, "/api/v1/targets").path("data"));
    });
    awaitOrFail(PrometheusEndToEndTest.DATA_DEADLINE, "the cluster's alert rules evaluated without error", () -> {
      List<String> problems = new ArrayList<>();
      int rules = 0;
      for (JsonNode group : apiGet(clusterUrl, "/api/v1/rules").path("data").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          rules++;
          if (!"ok".equals(rule.path("health").asText())) {
            problems.add(rule.path("name").asText() + ": health " + rule.path("health").asText() + " "
                + rule.path("lastError").asText());
          }
        }
      }
      if (rules == 0) {
        problems.add("no rules loaded from " + clusterConfig);
      }
      return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", problems));
    });

    // On the receiver: each instance's scrape, as the cluster's Prometheus recorded it, with its cluster label.
    awaitOrFail(PrometheusEndToEndTest.DATA_DEADLINE.plus(SEND_SLACK), "both instances' up series on the receiver", () -> {
      List<String> missing = new ArrayList<>();
      for (String instance : instances) {
        JsonNode up = query(receiverUrl, "up{job=\"" + PrometheusEndToEndTest.JOB + "\", instance=\"" + instance + "\"} == 1");
        if (up.isEmpty()) {
          missing.add(instance);
        } else {
          assertThat(up.get(0).path("metric").path("cluster").asText()).as("cluster label of %s", up.get(0))
              .isEqualTo(clusterLabel);
        }
      }
      return missing.isEmpty() ? Optional.empty() : Optional.of("no up == 1 on the receiver yet for " + missing
          + "\n" + remoteWriteDiagnostics());
    });

    JsonNode targets = apiGet(receiverUrl, "/api/v1/targets").path("data");
    assertThat(targets.path("activeTargets")).as("the receiver's active scrape targets: %s", targets).isEmpty();
    assertThat(targets.path("droppedTargets")).as("the receiver's dropped scrape targets: %s", targets).isEmpty();
    JsonNode rules = apiGet(receiverUrl, "/api/v1/rules").path("data").path("groups");
    assertThat(rules).as("the receiver's rule groups (its ALERTS come from the cluster's): %s", rules).isEmpty();
    assertThat(query(receiverUrl, "count({__name__=~\".+\", cluster!=\"" + clusterLabel + "\"})"))
        .as("series on the receiver without cluster=\"%s\"", clusterLabel).isEmpty();
    assertThat(query(receiverUrl, "count by (cluster, instance) (memwatch_heap_used_bytes)"))
        .extracting(series -> series.path("metric").path("cluster").asText() + " " + series.path("metric").path("instance").asText())
        .as("memwatch_heap_used_bytes on the receiver, by cluster and instance")
        .containsExactlyInAnyOrderElementsOf(instances.stream().map(i -> clusterLabel + " " + i).toList());
  }

  /**
   * The variables' choices on the receiver, as Grafana asks for them: the cluster's label, the job and both
   * instances, with {@code $cluster} (and {@code $job}) All and chosen.
   */
  @Test
  @Order(3)
  void theTemplateVariablesOfferTheClusterAndBothInstances() throws Exception {
    Map<String, Set<String>> expected = Map.of("cluster", Set.of(clusterLabel),
        "job", Set.of(PrometheusEndToEndTest.JOB), "instance", new TreeSet<>(instances));
    int checked = 0;
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      String name = variable.path("name").asText();
      Matcher matcher = labelValuesQuery(variable);
      assertThat(expected).as("$" + name + " is a variable this test knows").containsKey(name);
      // What Grafana asks Prometheus for such a variable: the label's values among the selector's series.
      for (View view : List.of(all(), clusterAndJobChosen())) {
        String selector = substitute(matcher.group(1), view);
        String label = matcher.group(2);
        awaitOrFail(PrometheusEndToEndTest.DATA_DEADLINE, "$" + name + " (" + view + "): " + label + " values of " + selector, () -> {
          Set<String> found = labelValues(label, selector);
          return found.equals(expected.get(name)) ? Optional.empty()
              : Optional.of("got " + found + ", expected " + expected.get(name));
        });
        checked++;
      }
    }
    assertThat(checked).as("template variable queries checked").isEqualTo(2 * expected.size());
  }

  @Test
  @Order(4)
  void everyDashboardQueryReturnsDataForEachInstance() throws Exception {
    List<DashboardQuery> queries = new ArrayList<>();
    PrometheusEndToEndTest.collect(dashboard.path("panels"), queries);
    assertThat(queries).as("dashboard queries").hasSizeGreaterThanOrEqualTo(10);
    Set<String> expressions = new TreeSet<>();
    queries.forEach(q -> expressions.add(q.expr()));
    assertThat(expressions).as("every query listed as possibly empty is in the dashboard")
        .containsAll(PrometheusEndToEndTest.EMPTY_WITHOUT_CONTAINER_LIMIT.keySet())
        .containsAll(PrometheusEndToEndTest.EMPTY_UNTIL_LEAK_SUSPECTED.keySet());
    for (DashboardQuery q : queries) {
      List<String> metrics = PromQl.metricNames(q.expr());
      assertThat(PrometheusEndToEndTest.EMPTY_WITHOUT_CONTAINER_LIMIT.containsKey(q.expr()))
          .as("%s: possibly empty exactly when it reads memwatch_memory_limit_bytes", q)
          .isEqualTo(metrics.contains("memwatch_memory_limit_bytes"));
      assertThat(PrometheusEndToEndTest.EMPTY_UNTIL_LEAK_SUSPECTED.containsKey(q.expr()))
          .as("%s: empty until a suspicion exactly when it reads memwatch_leak_retainer_bytes", q)
          .isEqualTo(metrics.contains("memwatch_leak_retainer_bytes"));
    }

    Map<String, String> excused = new LinkedHashMap<>();
    Map<String, Integer> withData = new LinkedHashMap<>();
    awaitOrFail(PrometheusEndToEndTest.DATA_DEADLINE, "every dashboard query returns data for each instance on the receiver", () -> {
      excused.clear();
      withData.clear();
      Set<String> withLimit = new TreeSet<>();
      for (JsonNode series : query(receiverUrl, "memwatch_memory_limit_bytes{job=\"" + PrometheusEndToEndTest.JOB + "\"}")) {
        withLimit.add(series.path("metric").path("instance").asText());
      }
      List<String> failing = new ArrayList<>();
      for (View view : views()) {
        for (DashboardQuery q : queries) {
          if (PrometheusEndToEndTest.EMPTY_UNTIL_LEAK_SUSPECTED.containsKey(q.expr())) {
            // checked once the leak alert fires, by theLeakAlertAndWhatKeepsTheLeakReachTheReceiver
            excused.put(q + " (" + view + ")", PrometheusEndToEndTest.EMPTY_UNTIL_LEAK_SUSPECTED.get(q.expr())
                + "; checked once the leak alert fires");
            continue;
          }
          Set<String> expected = new TreeSet<>(view.instances());
          boolean readsLimit = PrometheusEndToEndTest.EMPTY_WITHOUT_CONTAINER_LIMIT.containsKey(q.expr());
          if (readsLimit) {
            expected.retainAll(withLimit);
          }
          String sent = substitute(q.expr(), view);
          JsonNode result = query(receiverUrl, sent);
          Optional<String> problem = problem(result, expected, view);
          if (problem.isPresent()) {
            failing.add(q + " (" + view + "): " + problem.get() + "\n      sent: " + sent);
          } else if (expected.isEmpty()) {
            excused.put(q + " (" + view + ")", PrometheusEndToEndTest.EMPTY_WITHOUT_CONTAINER_LIMIT.get(q.expr())
                + "; empty, as no memwatch_memory_limit_bytes exists for it");
          } else {
            withData.merge(view.toString(), 1, Integer::sum);
          }
        }
      }
      return failing.isEmpty() ? Optional.empty() : Optional.of("wrong data on the receiver for:\n  " + String.join("\n  ", failing));
    });
    System.err.println("RemoteWriteFleetTest: " + queries.size() + " dashboard queries; returned data on the receiver: "
        + withData + "; excused:");
    excused.forEach((q, why) -> System.err.println("  " + q + ": " + why));
  }

  @Test
  @Order(5)
  void theLeakAlertAndWhatKeepsTheLeakReachTheReceiver() throws Exception {
    List<JsonNode> annotations = new ArrayList<>();
    dashboard.path("annotations").path("list").forEach(a -> {
      if (!a.path("expr").asText().isBlank()) {
        annotations.add(a);
      }
    });
    assertThat(annotations).as("the dashboard's query annotations").isNotEmpty();
    Duration left = Duration.between(Instant.now(),
        demosStarted.plus(PrometheusEndToEndTest.ALERT_DEADLINE).plus(SEND_SLACK));
    awaitOrFail(left.isNegative() ? Duration.ZERO : left, "the dashboard's alert annotation shows "
        + PrometheusEndToEndTest.LEAK_ALERT + " firing for each instance on the receiver", () -> {
      List<String> failing = new ArrayList<>();
      for (JsonNode annotation : annotations) {
        for (View view : views()) {
          String sent = substitute(annotation.path("expr").asText(), view);
          Set<String> firing = new TreeSet<>();
          for (JsonNode series : query(receiverUrl, sent)) {
            if (PrometheusEndToEndTest.LEAK_ALERT.equals(series.path("metric").path("alertname").asText())) {
              firing.add(series.path("metric").path("instance").asText());
            }
          }
          if (!firing.containsAll(view.instances())) {
            failing.add("annotation \"" + annotation.path("name").asText() + "\" (" + view + "): "
                + PrometheusEndToEndTest.LEAK_ALERT + " for " + firing + "\n      sent: " + sent);
          }
        }
      }
      return failing.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", failing) + "\n" + leakDiagnostics());
    });
    System.err.println("RemoteWriteFleetTest: " + PrometheusEndToEndTest.LEAK_ALERT + " firing for both instances on the"
        + " receiver " + Duration.between(demosStarted, Instant.now()).toSeconds() + " s after the demos started");

    for (String instance : instances) {
      JsonNode alerts = query(receiverUrl, "ALERTS{alertname=\"" + PrometheusEndToEndTest.LEAK_ALERT
          + "\", alertstate=\"firing\", instance=\"" + instance + "\"}");
      assertThat(alerts).as("%s firing for %s on the receiver", PrometheusEndToEndTest.LEAK_ALERT, instance).hasSize(1);
      JsonNode labels = alerts.get(0).path("metric");
      assertThat(labels.path("job").asText()).isEqualTo(PrometheusEndToEndTest.JOB);
      assertThat(labels.path("severity").asText()).isEqualTo("warning");
      assertThat(labels.path("cluster").asText()).as("the alert's cluster label").isEqualTo(clusterLabel);
    }

    // What keeps the leak: the demo's global list, on the dashboard's table, for each instance.
    awaitOrFail(PrometheusEndToEndTest.DATA_DEADLINE, "what keeps the leak, for each instance on the receiver", () -> {
      List<String> failing = new ArrayList<>();
      for (String expr : PrometheusEndToEndTest.EMPTY_UNTIL_LEAK_SUSPECTED.keySet()) {
        for (View view : views()) {
          String sent = substitute(expr, view);
          Set<String> retained = new TreeSet<>();
          for (JsonNode series : query(receiverUrl, sent)) {
            if (series.path("metric").path("retainer").asText().startsWith(PrometheusEndToEndTest.DEMO_RETAINER)) {
              retained.add(series.path("metric").path("instance").asText());
            }
          }
          if (!retained.containsAll(view.instances())) {
            failing.add(expr + " (" + view + "): retainer " + PrometheusEndToEndTest.DEMO_RETAINER.trim() + " for "
                + retained + "\n      sent: " + sent + "\n      got: " + query(receiverUrl, sent));
          }
        }
      }
      return failing.isEmpty() ? Optional.empty() : Optional.of(memwatchSaid() + String.join("\n", failing));
    });
  }

  /**
   * {@code $cluster} filters: chosen as another cluster (as if a second cluster's Prometheus wrote to the same
   * store), every query of the dashboard returns nothing, where the same query with this cluster chosen returns
   * data (once the leak alert fired, so the retainer table and the annotation have theirs too), and the job and
   * instance variables offer nothing.
   */
  @Test
  @Order(6)
  void anotherClusterChosenShowsNothing() throws Exception {
    Map<String, String> queries = new LinkedHashMap<>();
    List<DashboardQuery> panelQueries = new ArrayList<>();
    PrometheusEndToEndTest.collect(dashboard.path("panels"), panelQueries);
    panelQueries.forEach(q -> queries.put(q.toString(), q.expr()));
    dashboard.path("annotations").path("list").forEach(a -> {
      if (!a.path("expr").asText().isBlank()) {
        queries.put("annotation \"" + a.path("name").asText() + "\": " + a.path("expr").asText(), a.path("expr").asText());
      }
    });
    View thisCluster = clusterAndJobChosen();
    View otherCluster = new View(PrometheusEndToEndTest.promQlRegexEscape(OTHER_CLUSTER), thisCluster.job(),
        thisCluster.instance(), List.of(), "cluster " + OTHER_CLUSTER + ", job " + PrometheusEndToEndTest.JOB + ", instance All");
    boolean hasLimit = !query(receiverUrl, "memwatch_memory_limit_bytes").isEmpty();

    List<String> failing = new ArrayList<>();
    int withData = 0;
    for (Map.Entry<String, String> q : queries.entrySet()) {
      boolean maybeEmpty = !hasLimit && PrometheusEndToEndTest.EMPTY_WITHOUT_CONTAINER_LIMIT.containsKey(q.getValue());
      String sent = substitute(q.getValue(), thisCluster);
      if (!maybeEmpty) {
        if (query(receiverUrl, sent).isEmpty()) {
          failing.add(q.getKey() + " (" + thisCluster + "): no data\n      sent: " + sent);
        } else {
          withData++;
        }
      }
      sent = substitute(q.getValue(), otherCluster);
      JsonNode other = query(receiverUrl, sent);
      if (!other.isEmpty()) {
        failing.add(q.getKey() + " (" + otherCluster + "): " + other + "\n      sent: " + sent);
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String name = variable.path("name").asText();
      if ("query".equals(variable.path("type").asText()) && !"cluster".equals(name)) {
        Matcher matcher = labelValuesQuery(variable);
        String selector = substitute(matcher.group(1), otherCluster);
        Set<String> found = labelValues(matcher.group(2), selector);
        if (!found.isEmpty()) {
          failing.add("$" + name + " (" + otherCluster + "): offers " + found + "\n      sent: " + selector);
        }
      }
    }
    assertThat(failing).as("with $cluster %s, the dashboard on the receiver", OTHER_CLUSTER).isEmpty();
    System.err.println("RemoteWriteFleetTest: with $cluster " + OTHER_CLUSTER + " all " + queries.size()
        + " dashboard queries returned nothing; with " + clusterLabel + " " + withData + " returned data");
  }

  // ---------------------------------------------------------------------------------------------- setup

  private static void startDemos(Path agentJar, Path demoJar) throws Exception {
    demosStarted = Instant.now();
    for (int i = 1; i <= DEMOS; i++) {
      LoggedProcess demo = LoggedProcess.start("demo-" + i, PrometheusEndToEndTest.demoCommand(agentJar, demoJar, DEMO_HEAP), workDir,
          PrometheusEndToEndTest::onlyTheGivenOptions);
      started.add(demo);
      demos.add(demo);
    }
    Instant deadline = Instant.now().plus(PrometheusEndToEndTest.START_DEADLINE);
    for (LoggedProcess demo : demos) {
      String target = null;
      while (target == null) {
        for (String line : demo.errLines()) {
          Matcher matcher = PrometheusEndToEndTest.METRICS_LINE.matcher(line);
          if (matcher.find()) {
            target = matcher.group(2);
            break;
          }
        }
        if (target == null) {
          if (!demo.isAlive() || Instant.now().isAfter(deadline)) {
            fail("a demo with the agent printed no 'memwatch: ... http://HOST:PORT/metrics' line on stderr within "
                + PrometheusEndToEndTest.START_DEADLINE.toSeconds() + " s (" + (demo.isAlive() ? "still running"
                : "exited with " + demo.exitValue()) + ")\n" + demo.tails());
          }
          Thread.sleep(100);
        }
      }
      assertThat(target).as("the agent binds loopback by default").startsWith("127.0.0.1:");
      instances.add(target);
    }
    assertThat(new TreeSet<>(instances)).as("the demos' addresses").hasSize(DEMOS);
  }

  /**
   * The shipped file for this run: its targets are the demos, its remote write goes to the receiver, and it
   * scrapes and evaluates every {@link #INTERVAL}. Everything else stays as shipped: the job, the external
   * label, the rule files (copied to the same paths relative to the generated file) and remote-write settings.
   */
  private static Path clusterConfig() throws IOException {
    Path shipped = ModuleFiles.path(CONFIG);
    JsonNode root = YAML.readTree(shipped.toFile());
    assertThat(root.isObject()).as("%s is a YAML mapping", CONFIG).isTrue();

    JsonNode global = root.path("global");
    clusterLabel = global.path("external_labels").path("cluster").asText();
    assertThat(clusterLabel).as("%s: global.external_labels.cluster", CONFIG).isNotBlank();
    assertThat(global.path("scrape_interval").asText()).as("%s: global.scrape_interval", CONFIG).isNotBlank();
    assertThat(global.path("evaluation_interval").asText()).as("%s: global.evaluation_interval", CONFIG).isNotBlank();
    ((ObjectNode) global).put("scrape_interval", INTERVAL).put("evaluation_interval", INTERVAL);

    List<JsonNode> jobs = new ArrayList<>();
    root.path("scrape_configs").forEach(jobs::add);
    assertThat(jobs).as("%s: scrape_configs", CONFIG).singleElement()
        .satisfies(job -> assertThat(job.path("job_name").asText()).isEqualTo(PrometheusEndToEndTest.JOB))
        .satisfies(job -> assertThat(job.path("static_configs").path(0).path("targets")).as("placeholder targets").isNotEmpty());
    ArrayNode targets = YAML.createArrayNode();
    instances.forEach(targets::add);
    ArrayNode staticConfigs = YAML.createArrayNode();
    staticConfigs.addObject().set("targets", targets);
    ((ObjectNode) jobs.get(0)).set("static_configs", staticConfigs);

    List<JsonNode> remoteWrites = new ArrayList<>();
    root.path("remote_write").forEach(remoteWrites::add);
    assertThat(remoteWrites).as("%s: remote_write", CONFIG).singleElement()
        .satisfies(rw -> assertThat(rw.path("url").asText()).isEqualTo(CENTRAL_URL_PLACEHOLDER));
    ((ObjectNode) remoteWrites.get(0)).put("url", receiverUrl + "/api/v1/write");

    // The rule files at the same paths relative to the generated config as to the shipped one.
    Path dir = Files.createDirectories(workDir.resolve("cluster"));
    Path config = dir.resolve(ModuleFiles.baseDir().relativize(shipped));
    Files.createDirectories(config.getParent());
    Set<Path> ruleFiles = new LinkedHashSet<>();
    for (JsonNode entry : root.path("rule_files")) {
      Path source = shipped.getParent().resolve(entry.asText()).normalize();
      Path copy = config.getParent().resolve(entry.asText()).normalize();
      assertThat(source.startsWith(ModuleFiles.baseDir()) && copy.startsWith(dir))
          .as("%s: rule file %s is a relative path inside this module", CONFIG, entry.asText()).isTrue();
      Files.createDirectories(copy.getParent());
      Files.copy(source, copy);
      ruleFiles.add(source);
    }
    assertThat(ruleFiles).as("%s: rule_files", CONFIG).containsExactly(ModuleFiles.path(AlertRulesTest.RULES).normalize());

    Files.writeString(config, "# Generated by RemoteWriteFleetTest from grafana/" + CONFIG + ": targets, remote_write url"
        + " and intervals replaced\n" + YAML.writeValueAsString(root), StandardCharsets.UTF_8);
    return config;
  }

  /** A Prometheus that is ready, and where. */
  record Started(LoggedProcess process, String url) {}

  /** A Prometheus on a free loopback port with its own data directory, once ready. */
  private static Started startPrometheus(String name, Path binary, Path config, List<String> extraArgs) throws Exception {
    // The free port is found, closed and then taken by Prometheus: another process may take it in between,
    // so a Prometheus that exits before it is ready gets another port.
    for (int attempt = 1; ; attempt++) {
      int port = PrometheusEndToEndTest.freeLoopbackPort();
      String url = "http://127.0.0.1:" + port;
      Path data = Files.createDirectories(workDir.resolve(name + "-data-" + attempt));
      List<String> command = new ArrayList<>(List.of(binary.toString(),
          "--config.file=" + config,
          "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port));
      command.addAll(extraArgs);
      LoggedProcess process = LoggedProcess.start(name + "-" + attempt, command, workDir, env -> { });
      started.add(process);
      Instant deadline = Instant.now().plus(PrometheusEndToEndTest.START_DEADLINE);
      while (process.isAlive() && Instant.now().isBefore(deadline)) {
        try {
          HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/-/ready"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          if (ready.statusCode() == 200) {
            return new Started(process, url);
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      if (process.isAlive() || attempt == 3) {
        fail("the " + name + " Prometheus was not ready at " + url + "/-/ready within "
            + PrometheusEndToEndTest.START_DEADLINE.toSeconds() + " s\nconfig " + config + ":\n"
            + Files.readString(config) + "\n" + process.tails());
      }
      System.err.println("RemoteWriteFleetTest: the " + name + " Prometheus exited before it was ready, trying another"
          + " port:\n" + process.tails());
    }
  }

  // ---------------------------------------------------------------------------------------------- queries

  /**
   * How a user looks at the dashboard on the central store: the values of {@code $cluster}, {@code $job} and
   * {@code $instance} as Grafana puts them in a query ({@code .*} for All, a chosen value regex-escaped), and the
   * instances that the view shows.
   */
  record View(String cluster, String job, String instance, List<String> instances, String name) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The dashboard's default: every variable All. */
  private static View all() {
    return new View(".*", ".*", ".*", List.copyOf(instances), "cluster, job and instance: All");
  }

  /** The cluster and the job chosen, every instance. */
  private static View clusterAndJobChosen() {
    return new View(PrometheusEndToEndTest.promQlRegexEscape(clusterLabel),
        PrometheusEndToEndTest.promQlRegexEscape(PrometheusEndToEndTest.JOB), ".*", List.copyOf(instances),
        "cluster " + clusterLabel + ", job " + PrometheusEndToEndTest.JOB + ", instance All");
  }

  /** Each instance chosen in turn (with its cluster and job), the cluster and job chosen, then All. */
  private static List<View> views() {
    List<View> views = new ArrayList<>();
    String cluster = PrometheusEndToEndTest.promQlRegexEscape(clusterLabel);
    String job = PrometheusEndToEndTest.promQlRegexEscape(PrometheusEndToEndTest.JOB);
    for (String instance : instances) {
      views.add(new View(cluster, job, PrometheusEndToEndTest.promQlRegexEscape(instance), List.of(instance),
          "cluster " + clusterLabel + ", instance " + instance));
    }
    views.add(clusterAndJobChosen());
    views.add(all());
    return views;
  }

  /**
   * What is wrong with a query's result for a view that should show {@code expected}: data exactly when some
   * instance is expected, and where the result keeps the {@code instance} label, every expected instance and none
   * outside the view, each with the cluster's label (kept apart by cluster wherever it is kept apart by instance).
   */
  private static Optional<String> problem(JsonNode result, Set<String> expected, View view) {
    if (expected.isEmpty()) {
      return result.isEmpty() ? Optional.empty() : Optional.of("expected no data, got " + result);
    }
    if (result.isEmpty()) {
      return Optional.of("no data");
    }
    Set<String> found = new TreeSet<>();
    for (JsonNode series : result) {
      JsonNode labels = series.path("metric");
      if (labels.has("instance")) {
        found.add(labels.path("instance").asText());
        if (!clusterLabel.equals(labels.path("cluster").asText())) {
          return Optional.of("a series without cluster=\"" + clusterLabel + "\": " + series);
        }
      }
    }
    if (found.isEmpty()) {
      return Optional.empty(); // aggregated across instances (top sites): the chosen view's matchers did the selecting
    }
    if (!found.containsAll(expected)) {
      return Optional.of("series for " + found + ", expected " + expected);
    }
    if (!view.instances().containsAll(found)) {
      return Optional.of("series for " + found + " outside the selection " + view.instances());
    }
    return Optional.empty();
  }

  /** The query as Grafana sends it, with its own variables and the view's values of the dashboard's. */
  private static String substitute(String expr, View view) {
    String result = expr;
    for (Map.Entry<String, String> builtin : PrometheusEndToEndTest.GRAFANA_BUILTINS.entrySet()) {
      result = result.replace("${" + builtin.getKey().substring(1) + "}", builtin.getValue())
          .replace(builtin.getKey(), builtin.getValue());
    }
    result = result.replace("${cluster}", view.cluster()).replace("$cluster", view.cluster())
        .replace("${job}", view.job()).replace("$job", view.job())
        .replace("${instance}", view.instance()).replace("$instance", view.instance());
    assertThat(result).as("every variable of %s is known to the test", expr).doesNotContain("$");
    return result;
  }

  /** A template variable's {@code label_values(selector, label)} query, matched. */
  private static Matcher labelValuesQuery(JsonNode variable) {
    String definition = variable.path("query").isObject()
        ? variable.path("query").path("query").asText() : variable.path("query").asText();
    Matcher matcher = PrometheusEndToEndTest.LABEL_VALUES.matcher(definition.trim());
    assertThat(matcher.matches()).as("$" + variable.path("name").asText() + " is a label_values(selector, label) query: "
        + definition).isTrue();
    return matcher;
  }

  /** The values of a label among a selector's series on the receiver, as Grafana asks for a variable's choices. */
  private static Set<String> labelValues(String label, String selector) throws IOException, InterruptedException {
    Set<String> found = new TreeSet<>();
    apiGet(receiverUrl, "/api/v1/label/" + label + "/values?match[]=" + encode(selector)).path("data")
        .forEach(v -> found.add(v.asText()));
    return found;
  }

  /** The result vector of an instant query; fails on an error from Prometheus. */
  private static JsonNode query(String baseUrl, String promQl) throws IOException, InterruptedException {
    return apiGet(baseUrl, "/api/v1/query?query=" + encode(promQl)).path("data").path("result");
  }

  private static JsonNode apiGet(String baseUrl, String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + baseUrl + pathAndQuery + ": HTTP " + response.statusCode() + ", not JSON: "
          + response.body());
    }
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("GET " + baseUrl + pathAndQuery + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return body;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The cluster's remote-write counters, for data that does not arrive. */
  private static String remoteWriteDiagnostics() {
    try {
      HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(clusterUrl + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      StringBuilder out = new StringBuilder("the cluster Prometheus's remote-write counters:\n");
      metrics.body().lines().filter(l -> l.startsWith("prometheus_remote_storage_samples_")
          || l.startsWith("prometheus_remote_storage_highest_timestamp_in_seconds")
          || l.startsWith("prometheus_remote_storage_queue_highest_sent_timestamp_seconds"))
          .forEach(l -> out.append("  ").append(l).append('\n'));
      return out.toString();
    } catch (IOException | InterruptedException e) {
      return "could not read the cluster Prometheus's /metrics: " + e;
    }
  }

  /** What each demo's agent said about the leak, first: the log tails may be cut. */
  private static String memwatchSaid() {
    StringBuilder out = new StringBuilder("seconds since the demos started: "
        + Duration.between(demosStarted, Instant.now()).toSeconds() + "\n");
    for (int i = 0; i < demos.size(); i++) {
      out.append("demo ").append(i + 1).append(" (").append(instances.get(i)).append(") said:\n");
      demos.get(i).errLines().stream().filter(line -> line.startsWith("memwatch: leak"))
          .forEach(line -> out.append("  ").append(line).append('\n'));
    }
    return out.toString();
  }

  /** The leak verdict of each demo on both sides, for an alert that was not seen on the receiver. */
  private static String leakDiagnostics() {
    StringBuilder out = new StringBuilder("seconds since the demos started: "
        + Duration.between(demosStarted, Instant.now()).toSeconds() + "\n");
    try {
      for (String instance : instances) {
        String selector = "{job=\"" + PrometheusEndToEndTest.JOB + "\", instance=\"" + instance + "\"}";
        out.append("  ").append(instance).append(": suspected on the cluster ")
            .append(query(clusterUrl, "memwatch_leak_suspected" + selector)).append(", on the receiver ")
            .append(query(receiverUrl, "memwatch_leak_suspected" + selector)).append('\n');
      }
      out.append("  the cluster's alerts: ");
      for (JsonNode alert : apiGet(clusterUrl, "/api/v1/alerts").path("data").path("alerts")) {
        out.append(alert.path("labels").path("alertname").asText()).append('/')
            .append(alert.path("labels").path("instance").asText()).append('=').append(alert.path("state").asText())
            .append(" since ").append(alert.path("activeAt").asText()).append("; ");
      }
      out.append('\n').append(remoteWriteDiagnostics());
    } catch (IOException | InterruptedException | AssertionError e) {
      out.append("  ").append(e).append('\n');
    }
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------- waiting

  /** Polls {@code check} until it passes; fails with its last complaint and every process's log tails. */
  private static void awaitOrFail(Duration within, String what, PrometheusEndToEndTest.Check check) throws Exception {
    Instant deadline = Instant.now().plus(within);
    Optional<String> problem;
    while (true) {
      for (Map.Entry<String, LoggedProcess> process : processes().entrySet()) {
        if (!process.getValue().isAlive()) {
          fail(what + ": " + process.getKey() + " exited with " + process.getValue().exitValue() + "\n" + tails());
        }
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
    fail("not within " + within.toSeconds() + " s: " + what + "\n" + problem.get() + "\n" + tails());
  }

  private static Map<String, LoggedProcess> processes() {
    Map<String, LoggedProcess> all = new LinkedHashMap<>();
    for (int i = 0; i < demos.size(); i++) {
      all.put("demo " + (i + 1) + " (" + instances.get(i) + ")", demos.get(i));
    }
    all.put("the receiving Prometheus", receiver);
    all.put("the cluster's Prometheus", cluster);
    return all;
  }

  private static String tails() {
    StringBuilder out = new StringBuilder();
    processes().values().forEach(p -> out.append(p.tails()));
    return out.toString();
  }
}
