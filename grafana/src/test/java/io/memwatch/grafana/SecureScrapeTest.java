package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memwatch.grafana.PrometheusEndToEndTest.LoggedProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint beyond loopback: over TLS with basic auth, scraped by a real {@code curl} and a real
 * Prometheus; a warning when exposed without them; and metrics kept off, not served unprotected,
 * when a secret the options name cannot be read.
 */
class SecureScrapeTest {
  private static final String USER = "prometheus";
  private static final String PASSWORD = "scrape-secret-4711";
  private static final String KEY_STORE_PASSWORD = "store-secret-0815";
  private static final Pattern SERVING = Pattern.compile("memwatch: serving metrics on (\\S+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void curlAndPrometheusScrapeOverTlsWithBasicAuthAndNothingElseGetsIn() throws Exception {
    Path prometheusBinary = PrometheusEndToEndTest.requirePrometheus();
    Path keyStore = dir.resolve("memwatch.p12");
    Path certificate = dir.resolve("memwatch.pem");
    run(List.of(tool("keytool"), "-genkeypair", "-alias", "memwatch", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=memwatch", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", KEY_STORE_PASSWORD, "-keypass", KEY_STORE_PASSWORD));
    run(List.of(tool("keytool"), "-exportcert", "-rfc", "-alias", "memwatch", "-keystore", keyStore.toString(),
        "-storepass", KEY_STORE_PASSWORD, "-file", certificate.toString()));
    Path keyStorePassword = secretFile("keystore.pass", KEY_STORE_PASSWORD + "\n");
    Path password = secretFile("basic.pass", PASSWORD + "\n");

    LoggedProcess demo = startDemo("tls", "port=0,debug=true,tlsKeyStore=" + keyStore + ",tlsKeyStorePasswordFile=" + keyStorePassword
        + ",basicAuthUser=" + USER + ",basicAuthPasswordFile=" + password);
    LoggedProcess prometheus = null;
    try {
      String url = awaitServing(demo);
      assertThat(url).startsWith("https://127.0.0.1:");
      String plain = url.replace("https://", "http://");

      assertThat(curl("--cacert", certificate.toString(), "-u", USER + ":" + PASSWORD, url)).startsWith("200 ")
          .contains("memwatch_heap_used_bytes");
      assertThat(curl("--cacert", certificate.toString(), url)).as("no credentials").startsWith("401 ");
      assertThat(curl("--cacert", certificate.toString(), "-u", USER + ":guess", url)).as("a wrong password").startsWith("401 ");
      assertThat(curl("-u", USER + ":" + PASSWORD, url)).as("a certificate curl does not trust").doesNotStartWith("200 ");
      assertThat(curl("-u", USER + ":" + PASSWORD, plain)).as("plain HTTP on the TLS port").doesNotStartWith("200 ");
      assertThat(String.join("\n", demo.errLines())).as("the secrets are never printed")
          .doesNotContain(PASSWORD).doesNotContain(KEY_STORE_PASSWORD);

      String target = URI.create(url).getAuthority();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, String.join("\n",
          "global:",
          "  scrape_interval: 1s",
          "scrape_configs:",
          "  - job_name: memwatch-tls",
          "    scheme: https",
          "    tls_config:",
          "      ca_file: " + PrometheusEndToEndTest.yamlQuote(certificate.toString()),
          "    basic_auth:",
          "      username: " + USER,
          "      password_file: " + PrometheusEndToEndTest.yamlQuote(password.toString()),
          "    static_configs:",
          "      - targets: [" + PrometheusEndToEndTest.yamlQuote(target) + "]",
          ""), StandardCharsets.UTF_8);
      int port = PrometheusEndToEndTest.freeLoopbackPort();
      prometheus = LoggedProcess.start("prometheus-tls", List.of(prometheusBinary.toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")), "--web.listen-address=127.0.0.1:" + port),
          dir, env -> { });
      String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      Optional<String> last = Optional.empty();
      while (Instant.now().isBefore(deadline) && prometheus.isAlive()) {
        try {
          last = value(api, "up{job=\"memwatch-tls\"}");
        } catch (IOException notListeningYet) {
          last = Optional.empty();
        }
        if (last.equals(Optional.of("1"))) {
          break;
        }
        Thread.sleep(1000);
      }
      assertThat(last).as("Prometheus scraping over TLS with basic auth: up\n" + prometheus.tails() + demo.tails()).hasValue("1");
      assertThat(value(api, "memwatch_heap_used_bytes{job=\"memwatch-tls\"}")).as("a memwatch series through Prometheus").isPresent();
    } finally {
      demo.stop();
      if (prometheus != null) {
        prometheus.stop();
      }
    }
  }

  @Test
  void exposedBeyondLoopbackWithoutThemItWarnsAndAnUnreadableSecretKeepsMetricsOff() throws Exception {
    LoggedProcess exposed = startDemo("exposed", "host=0.0.0.0,port=0");
    LoggedProcess unreadable = startDemo("unreadable", "port=0,basicAuthUser=" + USER + ",basicAuthPasswordFile=" + dir.resolve("missing"));
    try {
      awaitServing(exposed);
      assertThat(exposed.errLines()).anySatisfy(line -> assertThat(line).startsWith("memwatch: ")
          .contains("beyond loopback").contains("without TLS or basic auth"));

      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (unreadable.errLines().stream().noneMatch(line -> line.contains("basicAuthPasswordFile")) && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
      }
      assertThat(unreadable.errLines()).filteredOn(line -> line.contains("basicAuthPasswordFile")).singleElement().asString()
          .startsWith("memwatch: ").contains("metrics stay off");
      Thread.sleep(2000);
      assertThat(unreadable.errLines()).noneMatch(line -> line.contains("serving metrics"));
      assertThat(unreadable.isAlive()).as("the host runs on").isTrue();
    } finally {
      exposed.stop();
      unreadable.stop();
    }
  }

  private LoggedProcess startDemo(String name, String agentOptions) throws IOException {
    Path agentJar = PrometheusEndToEndTest.requireJar(PrometheusEndToEndTest.AGENT_JAR, "agent");
    Path demoJar = PrometheusEndToEndTest.requireJar(PrometheusEndToEndTest.DEMO_JAR, "scripts/demo");
    List<String> command = new ArrayList<>(List.of(tool("java"), "-Xmx128m", "-javaagent:" + agentJar + "=" + agentOptions,
        "-jar", demoJar.toString(), "--port", "0", "--load", "5", "--paths", "/ok"));
    return LoggedProcess.start("demo-" + name, command, dir, env -> {
      env.remove("JAVA_TOOL_OPTIONS");
      env.keySet().removeIf(k -> k.startsWith("MEMWATCH_"));
    });
  }

  private static String awaitServing(LoggedProcess demo) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline) && demo.isAlive()) {
      for (String line : demo.errLines()) {
        Matcher matcher = SERVING.matcher(line);
        if (matcher.find()) {
          return matcher.group(1);
        }
      }
      Thread.sleep(100);
    }
    fail("no 'serving metrics on' line\n" + demo.tails());
    throw new AssertionError("unreachable");
  }

  private Path secretFile(String name, String content) throws IOException {
    Path file = Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content);
    return file;
  }

  /** curl's status code, a space, and the body it got (curl's exit code instead of the status when it got none). */
  private String curl(String... args) throws Exception {
    Path body = dir.resolve("curl.out");
    Files.deleteIfExists(body);
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-m", "10", "-o", body.toString(), "-w", "%{http_code}"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String code = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int exit = process.waitFor();
    return (exit == 0 ? code : "curl-exit-" + exit) + " " + (Files.exists(body) ? Files.readString(body) : "");
  }

  private static Optional<String> value(String api, String query) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api + URLEncoder.encode(query, StandardCharsets.UTF_8)))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode result = new ObjectMapper().readTree(response.body()).path("data").path("result");
    return result.isEmpty() ? Optional.empty() : Optional.of(result.get(0).path("value").get(1).asText());
  }

  private static void run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
  }

  private static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }
}
