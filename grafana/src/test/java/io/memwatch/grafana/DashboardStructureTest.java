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
import java.util.LinkedHashSet;
import java.util.List;
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
    for (String name : List.of("job", "instance")) {
      JsonNode variable = variable(variables, name);
      assertThat(variable.path("type").asText()).as(name).isEqualTo("query");
      assertThat(variable.path("datasource").path("uid").asText()).as(name + " datasource").isEqualTo(DATASOURCE_REF);
      String query = variable.path("query").isObject()
          ? variable.path("query").path("query").asText()
          : variable.path("query").asText();
      assertThat(query).as(name + " query").startsWith("label_values(").contains(", " + name + ")");
      assertThat(variable.path("includeAll").asBoolean()).as(name + " offers All").isTrue();
      assertThat(variable.path("allValue").asText()).as(name + " All matches every value").isEqualTo(".*");
    }
    assertThat(variable(variables, "instance").path("query").toString())
        .as("instance choices follow the chosen job").contains("job=~\\\"$job\\\"");

    Set<String> defined = new HashSet<>(GRAFANA_BUILTINS);
    variables.forEach(v -> defined.add(v.path("name").asText()));
    Set<String> used = new LinkedHashSet<>();
    for (String expr : allExpressions(dashboard)) {
      used.addAll(referencedVariables(expr));
    }
    for (JsonNode variable : variables) {
      used.addAll(referencedVariables(variable.path("query").toString()));
    }
    for (JsonNode panel : queryPanels(dashboard)) {
      used.addAll(referencedVariables(panel.path("datasource").toString()));
    }
    assertThat(used).contains("job", "instance", DATASOURCE_VARIABLE);
    assertThat(defined).containsAll(used);
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

  @Test
  void everyQueryUsesOnlyKnownMetricsAndFiltersByJobAndInstance() {
    SoftAssertions soft = new SoftAssertions();
    List<String> checked = new ArrayList<>();
    for (JsonNode panel : queryPanels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        List<PromQl.Selector> selectors = PromQl.selectors(expr);
        soft.assertThat(selectors).as(describe(panel) + ": " + expr + " selects series").isNotEmpty();
        for (PromQl.Selector selector : selectors) {
          String what = describe(panel) + ": " + selector.name() + " in " + expr;
          soft.assertThat(selector.name()).as(what + " is a known metric").isIn(KNOWN_METRICS);
          soft.assertThat(selector.matchers()).as(what + " filters by job and instance").isNotNull();
          if (selector.matchers() != null) {
            soft.assertThat(selector.matchers()).as(what).contains("job=~\"$job\"").contains("instance=~\"$instance\"");
          }
          checked.add(selector.name());
        }
      }
    }
    soft.assertThat(checked).as("metrics the dashboard must show").containsAll(METRICS_THE_DASHBOARD_SHOWS);
    soft.assertAll();
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
