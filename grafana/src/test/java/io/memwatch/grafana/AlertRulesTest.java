package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus alert rules: promtool checks their syntax and runs their unit tests; the checks here make
 * sure every alert carries what the on-call person needs and has a unit test that fires and one that stays
 * silent.
 */
class AlertRulesTest {
  static final String RULES = "alerts/memwatch-alerts.yml";
  static final String RULE_TESTS = "alerts/memwatch-alerts.test.yml";
  static final String PROMETHEUS_CONFIG = "prometheus/prometheus.yml";
  static final String RUNBOOK = "https://github.com/memwatch/memwatch/blob/main/README.md#";
  static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
  static final Pattern NAME = Pattern.compile("Memwatch(?:[A-Z][a-z0-9]*)+");
  static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  private static List<JsonNode> alerts;
  private static JsonNode ruleTests;

  @BeforeAll
  static void parse() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode rules = yaml.readTree(ModuleFiles.path(RULES).toFile());
    alerts = new ArrayList<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.has("alert")) {
          alerts.add(rule);
        }
      }
    }
    ruleTests = yaml.readTree(ModuleFiles.path(RULE_TESTS).toFile());
  }

  @Test
  void promtoolChecksTheRules() throws Exception {
    Promtool.Result result = Promtool.run(ModuleFiles.baseDir(), "check", "rules", RULES);
    assertThat(result.exitCode()).as(result.describe()).isZero();
  }

  @Test
  void promtoolUnitTestsPass() throws Exception {
    Promtool.Result result = Promtool.run(ModuleFiles.baseDir(), "test", "rules", RULE_TESTS);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).as(result.describe()).contains("SUCCESS");
  }

  @Test
  void promtoolChecksTheExamplePrometheusConfigAndTheRulesItLoads() throws Exception {
    Promtool.Result result = Promtool.run(ModuleFiles.baseDir(), "check", "config", PROMETHEUS_CONFIG);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.output()).as(result.describe()).contains("SUCCESS: 1 rule files found");
  }

  @Test
  void thereAreTheExpectedAlerts() {
    assertThat(alerts).extracting(a -> a.path("alert").asText()).containsExactlyInAnyOrder(
        "MemwatchLeakSuspected",
        "MemwatchHeapExhaustionSoon",
        "MemwatchRssNearContainerLimit",
        "MemwatchGcTimeHigh",
        "MemwatchEventsDropped");
  }

  @Test
  void everyAlertCarriesWhatTheOnCallPersonNeeds() {
    SoftAssertions soft = new SoftAssertions();
    for (JsonNode alert : alerts) {
      String name = alert.path("alert").asText();
      soft.assertThat(name).as("alert name").matches(NAME);
      soft.assertThat(alert.path("expr").asText()).as(name + " expr").isNotBlank();
      soft.assertThat(alert.path("for").asText()).as(name + " for").matches(DURATION).isNotEmpty();
      soft.assertThat(duration(alert.path("for").asText())).as(name + " for: is modest")
          .isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
      soft.assertThat(alert.path("labels").path("severity").asText()).as(name + " severity").isIn(SEVERITIES);
      JsonNode annotations = alert.path("annotations");
      soft.assertThat(annotations.path("summary").asText()).as(name + " summary").isNotBlank()
          .doesNotContain("{{").doesNotContain("$");
      soft.assertThat(annotations.path("description").asText()).as(name + " description is templated")
          .contains("{{ $labels.instance }}").contains("{{ $labels.job }}");
      soft.assertThat(annotations.path("runbook_url").asText()).as(name + " runbook_url").startsWith(RUNBOOK)
          .matches(Pattern.quote(RUNBOOK) + "[a-z0-9-]+");
      for (String metric : PromQl.metricNames(alert.path("expr").asText())) {
        soft.assertThat(metric).as(name + " uses a metric the agent exports").isIn(DashboardStructureTest.KNOWN_METRICS);
      }
    }
    soft.assertAll();
  }

  @Test
  void theLeakAlertFiresWithinAFewMinutes() {
    JsonNode leak = alerts.stream().filter(a -> "MemwatchLeakSuspected".equals(a.path("alert").asText()))
        .findFirst().orElseThrow();
    // The collector already debounces the flag over its leak window: the alert must not add much delay.
    assertThat(duration(leak.path("for").asText())).isLessThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(leak.path("expr").asText()).contains("memwatch_leak_suspected").contains("== 1");
  }

  @Test
  void everyAlertHasAUnitTestThatFiresAndOneThatStaysSilent() {
    Map<String, String> severities = new HashMap<>();
    alerts.forEach(a -> severities.put(a.path("alert").asText(), a.path("labels").path("severity").asText()));
    Map<String, Integer> firing = new HashMap<>();
    Map<String, Integer> silent = new HashMap<>();
    SoftAssertions soft = new SoftAssertions();
    for (JsonNode test : ruleTests.path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        String alertname = check.path("alertname").asText();
        soft.assertThat(severities).as("test \"" + test.path("name").asText() + "\" names a defined alert")
            .containsKey(alertname);
        JsonNode expected = check.path("exp_alerts");
        if (expected.isEmpty()) {
          silent.merge(alertname, 1, Integer::sum);
          continue;
        }
        firing.merge(alertname, 1, Integer::sum);
        for (JsonNode alert : expected) {
          soft.assertThat(alert.path("exp_labels").path("severity").asText()).as(alertname + " severity in its test")
              .isEqualTo(severities.get(alertname));
          soft.assertThat(alert.path("exp_labels").has("instance")).as(alertname + " keeps the instance label").isTrue();
          soft.assertThat(alert.path("exp_labels").has("job")).as(alertname + " keeps the job label").isTrue();
          for (String annotation : List.of("summary", "description", "runbook_url")) {
            soft.assertThat(alert.path("exp_annotations").path(annotation).asText())
                .as(alertname + " test expects the rendered " + annotation).isNotBlank();
          }
        }
      }
    }
    for (String alertname : severities.keySet()) {
      soft.assertThat(firing).as(alertname + " has a test where it fires").containsKey(alertname);
      soft.assertThat(silent).as(alertname + " has a test where it stays silent").containsKey(alertname);
    }
    soft.assertAll();
  }

  static Duration duration(String text) {
    Matcher matcher = DURATION.matcher(text);
    if (text.isEmpty() || !matcher.matches()) {
      throw new AssertionError("not a Prometheus duration of h/m/s: '" + text + "'");
    }
    Duration duration = Duration.ZERO;
    if (matcher.group(1) != null) {
      duration = duration.plusHours(Long.parseLong(matcher.group(1)));
    }
    if (matcher.group(2) != null) {
      duration = duration.plusMinutes(Long.parseLong(matcher.group(2)));
    }
    if (matcher.group(3) != null) {
      duration = duration.plusSeconds(Long.parseLong(matcher.group(3)));
    }
    return duration;
  }
}
