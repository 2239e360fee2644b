package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Structural checks of grafana/dashboards/memwatch.json, the way Grafana and Prometheus will read it. */
class DashboardStructureTest {
  static final Path DASHBOARD = Path.of("dashboards/memwatch.json");

  /** Every metric the agent exports, by its Prometheus name (PRODUCT.md), plus Micrometer's JVM binders. */
  static final Set<String> KNOWN_METRICS = Set.of(
      "memwatch_rss_bytes",
      "memwatch_heap_total_bytes",
      "memwatch_heap_used_bytes",
      "memwatch_external_bytes",
      "memwatch_heap_max_bytes",
      "memwatch_memory_limit_bytes",
      "memwatch_heap_live_bytes",
      "memwatch_leak_retainer_bytes",
      "memwatch_heap_growth_bytes_per_second",
      "memwatch_heap_exhaustion_seconds",
      "memwatch_leak_suspected",
      "memwatch_allocated_bytes_total",
      "memwatch_site_allocated_bytes_total",
      "memwatch_site_live_bytes",
      "memwatch_events_dropped_total",
      "memwatch_instrumentation_errors_total",
      "jvm_memory_used_bytes",
      "jvm_memory_committed_bytes",
      "jvm_memory_max_bytes",
      "jvm_gc_pause_seconds_count",
      "jvm_gc_pause_seconds_sum",
      "jvm_gc_pause_seconds_max",
      "jvm_gc_live_data_size_bytes",
      "jvm_gc_max_data_size_bytes",
      "jvm_gc_memory_allocated_bytes_total",
      "jvm_gc_memory_promoted_bytes_total",
      "jvm_buffer_memory_used_bytes",
      "jvm_threads_live_threads",
      "jvm_classes_loaded_classes",
      "process_cpu_usage",
      "process_uptime_seconds");

  /** The memwatch metrics the dashboard must show: each one answers a question of the product. */
  static final Set<String> METRICS_THE_DASHBOARD_SHOWS = Set.of(
      "memwatch_rss_bytes", "memwatch_heap_total_bytes", "memwatch_heap_used_bytes", "memwatch_external_bytes",
      "memwatch_heap_max_bytes", "memwatch_memory_limit_bytes", "memwatch_heap_live_bytes",
      "memwatch_heap_growth_bytes_per_second", "memwatch_heap_exhaustion_seconds", "memwatch_leak_suspected", "memwatch_leak_retainer_bytes",
      "memwatch_allocated_bytes_total", "memwatch_site_allocated_bytes_total", "memwatch_site_live_bytes",
      "memwatch_events_dropped_total", "memwatch_instrumentation_errors_total",
      "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum");

  static final Set<String> ALLOWED_UNITS = Set.of(
      "bytes",        // memory, IEC
      "binBps",       // allocation rate, live-set growth
      "s",            // durations
      "percentunit",  // ratios 0..1
      "short",        // counts
      "cps");         // events per second

  static final String DATASOURCE_VARIABLE = "datasource";
  static final String DATASOURCE_REF = "${" + DATASOURCE_VARIABLE + "}";

  /**
   * The variables every query filters by, in this order: on a central store fed by several clusters'
   * Prometheus servers (each with its external label {@code cluster}), two clusters' pods may have the same
   * {@code job} and {@code instance} (pod IP and port).
   */
  static final List<String> FILTER_VARIABLES = List.of("cluster", "job", "instance");

  /** Variables Grafana defines itself. */
  static final Set<String> GRAFANA_BUILTINS = Set.of(
      "__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms", "__dashboard",
      "__from", "__to");

  private static final Pattern VARIABLE_REFERENCE =
      Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::[^}]*)?}|\\[\\[([A-Za-z0-9_]+)]]|\\$([A-Za-z0-9_]+)");

  private static JsonNode dashboard;

  @BeforeAll
  static void parse() throws IOException {
    dashboard = new ObjectMapper().readTree(Files.readString(ModuleFiles.path(DASHBOARD.toString()), StandardCharsets.UTF_8));
  }

  /** Every panel, those nested in collapsed rows included, rows themselves included. */
  static List<JsonNode> allPanels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      for (JsonNode nested : panel.path("panels")) {
        panels.add(nested);
      }
    }
    return panels;
  }

  static List<JsonNode> queryPanels(JsonNode dashboard) {
    return allPanels(dashboard).stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
  }

  static List<String> allExpressions(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : queryPanels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
      }
    }
    return exprs;
  }

  private static String describe(JsonNode panel) {
    return "panel " + panel.path("id").asText() + " \"" + panel.path("title").asText() + "\"";
  }

  @Test
  void identifiesItselfForImportAndProvisioning() {
    assertThat(dashboard.path("uid").asText()).isEqualTo("memwatch");
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
    assertThat(dashboard.has("id") && !dashboard.get("id").isNull())
        .as("a fixed numeric id breaks import into another Grafana").isFalse();
  }

  @Test
  void hasSomethingToShow() {
    assertThat(queryPanels(dashboard)).hasSizeGreaterThanOrEqualTo(10);
    assertThat(allPanels(dashboard)).anySatisfy(p -> assertThat(p.path("panels")).isNotEmpty());
  }

  @Test
  void panelIdsAreUniqueAndEveryPanelHasAGridPosition() {
    SoftAssertions soft = new SoftAssertions();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : allPanels(dashboard)) {
      soft.assertThat(panel.path("id").isInt()).as(describe(panel) + " has a numeric id").isTrue();
      soft.assertThat(ids.add(panel.path("id").asInt())).as(describe(panel) + " has a unique id").isTrue();
      soft.assertThat(panel.path("title").asText()).as(describe(panel) + " has a title").isNotBlank();
      JsonNode grid = panel.path("gridPos");
      for (String field : List.of("h", "w", "x", "y")) {
        soft.assertThat(grid.path(field).isInt()).as(describe(panel) + " gridPos." + field).isTrue();
      }
      soft.assertThat(grid.path("w").asInt()).as(describe(panel) + " width").isBetween(1, 24);
      soft.assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(describe(panel) + " fits 24 columns").isLessThanOrEqualTo(24);
      soft.assertThat(grid.path("h").asInt()).as(describe(panel) + " height").isPositive();
    }
    soft.assertAll();
  }

  @Test
  void everyPanelAndTargetUsesTheDatasourceVariable() {
    SoftAssertions soft = new SoftAssertions();
    for (JsonNode panel : queryPanels(dashboard)) {
      assertDatasourceVariable(soft, panel.path("datasource"), describe(panel));
      soft.assertThat(panel.path("targets")).as(describe(panel) + " targets").isNotEmpty();
      Set<String> refIds = new HashSet<>();
      for (JsonNode target : panel.path("targets")) {
        String what = describe(panel) + " target " + target.path("refId").asText();
        assertDatasourceVariable(soft, target.path("datasource"), what);
        soft.assertThat(target.path("expr").asText()).as(what + " expr").isNotBlank();
        soft.assertThat(refIds.add(target.path("refId").asText())).as(what + " has a unique refId").isTrue();
      }
    }
    for (JsonNode annotation : dashboard.path("annotations").path("list")) {
      assertDatasourceVariable(soft, annotation.path("datasource"), "annotation " + annotation.path("name").asText());
    }
    soft.assertAll();
  }

  private static void assertDatasourceVariable(SoftAssertions soft, JsonNode datasource, String what) {
    soft.assertThat(datasource.path("uid").asText()).as(what + " datasource uid").isEqualTo(DATASOURCE_REF);
    soft.assertThat(datasource.path("type").asText()).as(what + " datasource type").isEqualTo("prometheus");
  }

  @Test
  void everyPanelHasAKnownUnit() {
    SoftAssertions soft = new SoftAssertions();
    for (JsonNode panel : queryPanels(dashboard)) {
      soft.assertThat(panel.path("fieldConfig").path("defaults").path("unit").asText())
          .as(describe(panel) + " fieldConfig.defaults.unit").isIn(ALLOWED_UNITS);
      for (JsonNode override : panel.path("fieldConfig").path("overrides")) {
        for (JsonNode property : override.path("properties")) {
          if ("unit".equals(property.path("id").asText())) {
            soft.assertThat(property.path("value").asText()).as(describe(panel) + " override unit").isIn(ALLOWED_UNITS);
          }
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void templateVariablesAreDefinedAndUseTheDatasourceVariable() {
    List<JsonNode> variables = new ArrayList<>();
    dashboard.path("templating").path("list").forEach(variables::add);
    JsonNode datasource = variable(variables, DATASOURCE_VARIABLE);
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
    for (String name : FILTER_VARIABLES) {
      JsonNode variable = variable(variables, name);
      assertThat(variable.path("type").asText()).as(name).isEqualTo("query");
      assertThat(variable.path("datasource").path("uid").asText()).as(name + " datasource").isEqualTo(DATASOURCE_REF);
      String query = variableQuery(variable);
      assertThat(query).as(name + " query").startsWith("label_values(").contains(", " + name + ")");
      assertThat(variable.path("includeAll").asBoolean()).as(name + " offers All").isTrue();
      assertThat(variable.path("multi").asBoolean()).as(name + " takes several values").isTrue();
      // On a Prometheus whose series have no such label (no cluster label outside a fleet), the variable has
      // no values and only All: cluster=~".*" matches the label's absence, as the empty string matches .*
      assertThat(variable.path("allValue").asText()).as(name + " All matches every value").isEqualTo(".*");
    }
    assertThat(variables.stream().map(v -> v.path("name").asText()).filter(FILTER_VARIABLES::contains).toList())
        .as("the filter variables, in the order of their dropdowns").isEqualTo(FILTER_VARIABLES);
    assertThat(variableQuery(variable(variables, "cluster")))
        .as("cluster choices: every cluster with memwatch series").isEqualTo("label_values(memwatch_heap_used_bytes, cluster)");
    assertThat(variableQuery(variable(variables, "job")))
        .as("job choices follow the chosen cluster").contains("cluster=~\"$cluster\"");
    assertThat(variableQuery(variable(variables, "instance")))
        .as("instance choices follow the chosen cluster and job").contains("cluster=~\"$cluster\"").contains("job=~\"$job\"");

    Set<String> defined = new HashSet<>(GRAFANA_BUILTINS);
    variables.forEach(v -> defined.add(v.path("name").asText()));
    Set<String> used = new LinkedHashSet<>();
    for (String expr : allExpressions(dashboard)) {
      used.addAll(referencedVariables(expr));
    }
    for (JsonNode annotation : dashboard.path("annotations").path("list")) {
      used.addAll(referencedVariables(annotation.path("expr").asText()));
    }
    for (JsonNode variable : variables) {
      used.addAll(referencedVariables(variable.path("query").toString()));
    }
    for (JsonNode panel : queryPanels(dashboard)) {
      used.addAll(referencedVariables(panel.path("datasource").toString()));
    }
    assertThat(used).contains("cluster", "job", "instance", DATASOURCE_VARIABLE);
    assertThat(defined).containsAll(used);
  }

  private static String variableQuery(JsonNode variable) {
    return variable.path("query").isObject() ? variable.path("query").path("query").asText() : variable.path("query").asText();
  }

  private static JsonNode variable(List<JsonNode> variables, String name) {
    return variables.stream().filter(v -> name.equals(v.path("name").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("template variable $" + name + " is not defined"));
  }

  static Set<String> referencedVariables(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = VARIABLE_REFERENCE.matcher(text);
    while (matcher.find()) {
      for (int group = 1; group <= 3; group++) {
        if (matcher.group(group) != null) {
          names.add(matcher.group(group));
        }
      }
    }
    return names;
  }

  /** The queries of the panels' targets and of the annotations, each with where it is. */
  static Map<String, String> allQueries(JsonNode dashboard) {
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : queryPanels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        queries.put(describe(panel) + " target " + target.path("refId").asText(), target.path("expr").asText());
      }
    }
    for (JsonNode annotation : dashboard.path("annotations").path("list")) {
      queries.put("annotation \"" + annotation.path("name").asText() + "\"", annotation.path("expr").asText());
    }
    return queries;
  }

  @Test
  void everyQueryUsesOnlyKnownMetricsAndFiltersByClusterJobAndInstance() {
    SoftAssertions soft = new SoftAssertions();
    List<String> checked = new ArrayList<>();
    allQueries(dashboard).forEach((where, expr) -> {
      List<PromQl.Selector> selectors = PromQl.selectors(expr);
      soft.assertThat(selectors).as(where + ": " + expr + " selects series").isNotEmpty();
      for (PromQl.Selector selector : selectors) {
        String what = where + ": " + selector.name() + " in " + expr;
        if (!where.startsWith("annotation")) {
          soft.assertThat(selector.name()).as(what + " is a known metric").isIn(KNOWN_METRICS);
        }
        soft.assertThat(selector.matchers()).as(what + " filters by cluster, job and instance").isNotNull();
        if (selector.matchers() != null) {
          for (String variable : FILTER_VARIABLES) {
            soft.assertThat(selector.matchers()).as(what).contains(variable + "=~\"$" + variable + "\"");
          }
        }
        checked.add(selector.name());
      }
    });
    soft.assertThat(checked).as("metrics the dashboard must show").containsAll(METRICS_THE_DASHBOARD_SHOWS);
    soft.assertAll();
  }

  /**
   * Where a query keeps instances apart, it keeps clusters apart too: a {@code by} or {@code on} list that names
   * the instance names the cluster, and a {@code without} or {@code ignoring} list that drops the cluster drops the
   * instance. Otherwise two clusters' pods with the same address are summed into one series, and a ratio matched
   * {@code on (job, instance)} fails with many-to-many matching.
   */
  @Test
  void whereALabelListKeepsInstancesApartItKeepsClustersApart() {
    SoftAssertions soft = new SoftAssertions();
    int withInstance = 0;
    for (Map.Entry<String, String> query : allQueries(dashboard).entrySet()) {
      for (PromQl.LabelList list : PromQl.labelLists(query.getValue())) {
        String what = query.getKey() + ": " + list.keyword() + " " + list.labels() + " in " + query.getValue();
        boolean drops = list.keyword().equals("without") || list.keyword().equals("ignoring");
        if (!drops && list.labels().contains("instance")) {
          withInstance++;
          soft.assertThat(list.labels()).as(what).contains("cluster");
        }
        if (drops && list.labels().contains("cluster")) {
          soft.assertThat(list.labels()).as(what).contains("instance");
        }
      }
    }
    soft.assertThat(withInstance).as("label lists naming the instance").isGreaterThanOrEqualTo(10);
    soft.assertAll();
  }

  /**
   * What names the instance names the cluster: legends, table columns and the alert annotation. Panel legends
   * are rendered by Grafana's server, where a label the series lacks is an empty string (no cluster label on a
   * single Prometheus); an annotation's title and text are rendered in the browser, where it would show as the
   * label's name, so the annotation shows the cluster as a tag ({@code tagKeys}), which only takes labels that
   * are there.
   */
  @Test
  void whatShowsTheInstanceShowsTheCluster() {
    SoftAssertions soft = new SoftAssertions();
    int legends = 0;
    for (JsonNode panel : queryPanels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        String legend = target.path("legendFormat").asText();
        if (legend.contains("{{instance}}")) {
          legends++;
          soft.assertThat(legend).as(describe(panel) + " target " + target.path("refId").asText() + " legend")
              .contains("{{cluster}} {{instance}}");
        }
      }
      for (JsonNode transformation : panel.path("transformations")) {
        JsonNode columns = transformation.path("options").path("indexByName");
        if (columns.has("instance")) {
          soft.assertThat(columns.has("cluster")).as(describe(panel) + " table columns " + columns).isTrue();
          soft.assertThat(columns.path("cluster").asInt()).as(describe(panel) + ": the cluster's column before the instance's")
              .isLessThan(columns.path("instance").asInt());
        }
      }
    }
    soft.assertThat(legends).as("legends that show the instance").isGreaterThanOrEqualTo(20);
    for (JsonNode annotation : dashboard.path("annotations").path("list")) {
      String what = "annotation " + annotation.path("name").asText();
      soft.assertThat(List.of(annotation.path("tagKeys").asText().split(","))).as(what + " tagKeys").contains("cluster");
      soft.assertThat(annotation.path("titleFormat").asText() + annotation.path("textFormat").asText())
          .as(what + " title and text").doesNotContain("{{cluster}}");
    }
    soft.assertAll();
  }

  /** Two clusters of a fleet, and one pod address in both, for {@link #twoClustersWithTheSamePodAddressStayApart}. */
  static final List<String> TWO_CLUSTERS = List.of("cluster-1", "cluster-2");
  static final String SAME_JOB = "orders/orders-service-memwatch";
  static final String SAME_INSTANCE = "10.0.0.7:9404";
  /** Labels of the series of a metric beyond cluster, job and instance, where a query needs them; one series each. */
  static final Map<String, List<String>> SERIES_LABELS = Map.of(
      "jvm_memory_used_bytes", List.of("area=\"heap\", id=\"G1 Old Gen\"", "area=\"nonheap\", id=\"Metaspace\""),
      "ALERTS", List.of("alertname=\"MemwatchLeakSuspected\", alertstate=\"firing\", severity=\"warning\""));

  /**
   * On a central store, two clusters' pods with the same job and instance (the same pod IP and port in each
   * cluster's network): every query of the dashboard (panels and annotation), run by {@code promtool test rules}
   * on series of every metric it reads in both clusters, with {@code $cluster}:
   * <ul>
   *   <li>All: a query whose result keeps the instance returns each cluster's series apart (no sum across them,
   *       no many-to-many error); one that sums over the instances (the top sites) returns its one sum;
   *   <li>{@code cluster-1}: only cluster-1's series;
   *   <li>{@code cluster-3}, which has no series: nothing.
   * </ul>
   */
  @Test
  void twoClustersWithTheSamePodAddressStayApart() throws Exception {
    Map<String, String> queries = allQueries(dashboard);
    Set<String> metrics = new LinkedHashSet<>();
    queries.values().forEach(expr -> metrics.addAll(PromQl.metricNames(expr)));

    ObjectMapper json = new ObjectMapper();
    StringBuilder test = new StringBuilder("# Generated by DashboardStructureTest from dashboards/memwatch.json\n")
        .append("evaluation_interval: 15s\n")
        .append("tests:\n")
        .append("  - name: two clusters with the same job and instance\n")
        .append("    interval: 15s\n")
        .append("    input_series:\n");
    for (String metric : metrics) {
      for (String labels : SERIES_LABELS.getOrDefault(metric, List.of(""))) {
        for (String cluster : TWO_CLUSTERS) {
          String series = metric + "{cluster=\"" + cluster + "\", job=\"" + SAME_JOB + "\", instance=\"" + SAME_INSTANCE + "\""
              + (labels.isEmpty() ? "" : ", " + labels) + "}";
          // 20 minutes of samples, rising, for rate() and deriv()
          test.append("      - series: ").append(json.writeValueAsString(series)).append('\n')
              .append("        values: '1000+10x80'\n");
        }
      }
    }
    test.append("    promql_expr_test:\n");
    int keepingInstances = 0;
    for (Map.Entry<String, String> query : queries.entrySet()) {
      boolean keepsInstance = PromQl.keepsInstance(query.getValue());
      if (keepsInstance) {
        keepingInstances++;
      }
      for (String cluster : List.of(".*", "cluster-1", "cluster-3")) {
        List<String> expected = switch (cluster) {
          case ".*" -> keepsInstance ? TWO_CLUSTERS : List.of("");
          case "cluster-1" -> List.of(keepsInstance ? cluster : "");
          default -> List.of();
        };
        String expr = asPrometheusWouldSeeIt(query.getValue().replace("${cluster}", cluster).replace("$cluster", cluster));
        test.append("      # ").append(query.getKey().replace('\n', ' ')).append(", $cluster ").append(cluster).append('\n')
            .append("      - expr: ").append(json.writeValueAsString("group by (cluster) (" + expr + ")")).append('\n')
            .append("        eval_time: 15m\n")
            .append("        exp_samples:").append(expected.isEmpty() ? " []" : "").append('\n');
        for (String label : expected) {
          test.append("          - labels: ")
              .append(json.writeValueAsString(label.isEmpty() ? "{}" : "{cluster=\"" + label + "\"}")).append('\n')
              .append("            value: 1\n");
        }
      }
    }
    assertThat(keepingInstances).as("queries whose result keeps the instance").isGreaterThanOrEqualTo(20);
    assertThat(keepingInstances).as("queries that sum over the instances (top sites)").isLessThan(queries.size());

    Path target = ModuleFiles.path("target");
    Files.createDirectories(target);
    Path file = target.resolve("dashboard-two-clusters.test.yml");
    Files.writeString(file, test, StandardCharsets.UTF_8);
    Promtool.Result result = Promtool.run(ModuleFiles.baseDir(), "test", "rules", file.toString());
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).as(result.describe()).contains("SUCCESS");
  }

  @Test
  void gcPauseQueriesLeaveOutConcurrentCollectors() {
    SoftAssertions soft = new SoftAssertions();
    for (String expr : allExpressions(dashboard)) {
      for (PromQl.Selector selector : PromQl.selectors(expr)) {
        if (selector.name() != null && selector.name().startsWith("jvm_gc_pause_seconds")) {
          soft.assertThat(selector.matchers()).as(expr)
              .contains("gc!=\"G1 Concurrent GC\"").contains("gc!~\".*Cycles.*\"");
        }
      }
    }
    soft.assertAll();
  }

  /** Grafana's own variables replaced by what Prometheus would receive, so promtool can parse the queries. */
  static String asPrometheusWouldSeeIt(String expr) {
    return expr
        .replace("$__rate_interval", "1m")
        .replace("$__interval", "15s")
        .replace("$__range", "1h")
        .replace("${cluster}", ".*").replace("$cluster", ".*")
        .replace("${job}", ".*").replace("$job", ".*")
        .replace("${instance}", ".*").replace("$instance", ".*");
  }

  @Test
  void everyQueryIsValidPromQl() throws Exception {
    StringBuilder rules = new StringBuilder("# Generated by DashboardStructureTest from dashboards/memwatch.json\n")
        .append("groups:\n  - name: dashboard-queries\n    rules:\n");
    List<String> exprs = new ArrayList<>(allExpressions(dashboard));
    dashboard.path("annotations").path("list").forEach(a -> exprs.add(a.path("expr").asText()));
    int index = 0;
    ObjectMapper json = new ObjectMapper();
    for (String expr : exprs) {
      // a JSON string is a valid YAML double-quoted scalar
      rules.append("      - record: memwatch_dashboard_query_").append(++index).append('\n')
          .append("        expr: ").append(json.writeValueAsString(asPrometheusWouldSeeIt(expr))).append('\n');
    }
    Path target = ModuleFiles.path("target");
    Files.createDirectories(target);
    Path file = target.resolve("dashboard-queries.rules.yml");
    Files.writeString(file, rules, StandardCharsets.UTF_8);

    Promtool.Result result = Promtool.run(ModuleFiles.baseDir(), "check", "rules", file.toString());
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + exprs.size() + " rules found");
  }
}
