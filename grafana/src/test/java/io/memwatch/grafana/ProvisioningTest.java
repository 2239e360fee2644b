package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The Grafana file-provisioning files: a Prometheus datasource and a file provider for the dashboards folder. */
class ProvisioningTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  @Test
  void datasourceIsAPrometheus() throws IOException {
    JsonNode root = yaml.readTree(ModuleFiles.path("provisioning/datasources/memwatch.yml").toFile());
    assertThat(root.path("apiVersion").asInt()).isEqualTo(1);
    JsonNode datasources = root.path("datasources");
    assertThat(datasources).hasSize(1);
    JsonNode prometheus = datasources.get(0);
    assertThat(prometheus.path("type").asText()).isEqualTo("prometheus");
    assertThat(prometheus.path("url").asText()).startsWith("http");
    assertThat(prometheus.path("name").asText()).isNotBlank();
  }

  @Test
  void dashboardProviderReadsTheDashboardsFolder() throws IOException {
    JsonNode root = yaml.readTree(ModuleFiles.path("provisioning/dashboards/memwatch.yml").toFile());
    assertThat(root.path("apiVersion").asInt()).isEqualTo(1);
    JsonNode providers = root.path("providers");
    assertThat(providers).hasSize(1);
    JsonNode provider = providers.get(0);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(provider.path("options").path("path").asText()).startsWith("/").endsWith("dashboards");
  }
}
