package io.memwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.agent.options.Options;
import io.memwatch.collector.export.Listen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenSettingsTest {
  @TempDir Path dir;
  private final List<String> said = new ArrayList<>();

  private Optional<Listen> of(String agentArgs) {
    return ListenSettings.of(Options.parse(agentArgs, Map.of(), Map.of(), said::add), said::add);
  }

  @Test
  void plainOnLoopbackByDefault() {
    Listen listen = of(null).orElseThrow();
    assertThat(listen.tls()).isNull();
    assertThat(listen.basicAuth()).isNull();
    assertThat(listen.beyondLoopback()).isFalse();
    assertThat(said).isEmpty();
  }

  @Test
  void secretsComeFromTheFirstLineOfTheirFilesAndAreNeverPrinted() throws Exception {
    Path keyStore = Files.writeString(dir.resolve("ks.p12"), "not read here");
    Path storePassword = Files.writeString(dir.resolve("ks.pass"), "store-secret\n");
    Path password = Files.writeString(dir.resolve("pw"), "scrape-secret\nsecond line\n");
    Listen listen = of("host=0.0.0.0,tlsKeyStore=" + keyStore + ",tlsKeyStorePasswordFile=" + storePassword
        + ",basicAuthUser=prometheus,basicAuthPasswordFile=" + password).orElseThrow();
    assertThat(listen.tls().password()).isEqualTo("store-secret");
    assertThat(listen.basicAuth().allows("Basic " + Base64.getEncoder().encodeToString("prometheus:scrape-secret".getBytes()))).isTrue();
    assertThat(listen.basicAuth().allows("Basic " + Base64.getEncoder().encodeToString("prometheus:guess".getBytes()))).isFalse();
    assertThat(listen.basicAuth().allows("Bearer scrape-secret")).isFalse();
    assertThat(listen.basicAuth().allows("Basic %%%")).isFalse();
    assertThat(listen.beyondLoopback()).isTrue();
    assertThat(listen.toString()).doesNotContain("store-secret").doesNotContain("scrape-secret");
    assertThat(said).isEmpty();
  }

  @Test
  void askedForButUnusableKeepsMetricsOffWithOneLine() throws Exception {
    assertThat(of("basicAuthUser=prometheus,basicAuthPasswordFile=" + dir.resolve("missing"))).isEmpty();
    assertThat(said).singleElement().asString().contains("basicAuthPasswordFile").contains("metrics stay off");

    said.clear();
    assertThat(of("basicAuthUser=prometheus")).isEmpty();
    assertThat(said).singleElement().asString().contains("needs both");

    said.clear();
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThat(of("tlsKeyStore=" + dir.resolve("nothing.p12") + ",tlsKeyStorePasswordFile=" + empty)).isEmpty();
    assertThat(said).singleElement().asString().contains("cannot read the key store");

    said.clear();
    assertThat(of("basicAuthUser=no spaces allowed,basicAuthPasswordFile=" + empty)).as("a refused user name").isEmpty();
    assertThat(said).hasSize(2).anySatisfy(line -> assertThat(line).contains("'basicAuthUser'"));
  }
}
