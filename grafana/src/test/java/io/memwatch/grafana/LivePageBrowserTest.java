package io.memwatch.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.memwatch.grafana.PrometheusEndToEndTest.LoggedProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The live page in a real browser: the system's headless Chromium opens the page the agent serves
 * beside {@code /metrics}, for the demo leaking 2 MiB/s at default options (as {@link
 * PrometheusEndToEndTest} runs it). The page loads with no console error (a script error, a refused
 * file or a breach of the page's content security policy would be one), its charts draw the
 * readings, and its verdict turns to a suspected leak naming the demo's leaking site. It writes two
 * screenshots to {@code target/screenshots}: the README shows them.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}: skipped without them, except on CI
 * ({@code CI=true}), where it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LivePageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String NOT_INSTALLED = "Chromium not installed: apt-get install chromium chromium-driver";
  static final Path SCREENSHOTS = ModuleFiles.path("target/screenshots");
  /** The demo's leak is suspected about a minute after its start: the verdict must turn within this. */
  static final Duration SUSPICION_DEADLINE = Duration.ofSeconds(180);
  static final Duration START_DEADLINE = Duration.ofSeconds(30);
  private static final Pattern PAGE_LINE = Pattern.compile("memwatch: serving metrics on \\S+ and the live page on (http://127\\.0\\.0\\.1:\\d+/)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  // The demo's logs and the browser's profile: kept where a test failed, to be read.
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path workDir;
  private static LoggedProcess demo;
  private static Instant demoStarted;
  private static URI page;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    requireChromium();
    Path agentJar = PrometheusEndToEndTest.requireJar(PrometheusEndToEndTest.AGENT_JAR, "agent");
    Path demoJar = PrometheusEndToEndTest.requireJar(PrometheusEndToEndTest.DEMO_JAR, "scripts/demo");
    Files.createDirectories(SCREENSHOTS);

    demoStarted = Instant.now();
    demo = LoggedProcess.start("demo", PrometheusEndToEndTest.demoCommand(agentJar, demoJar), workDir,
        PrometheusEndToEndTest::onlyTheGivenOptions);
    page = awaitPageUrl();
    browser = startBrowser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      demo.stop();
    }
  }

  @Test
  @Order(1)
  void servesThePageWithAPolicyThatKeepsItToItsOwnFiles() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(policy -> assertThat(policy).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"));
    // Nothing from the network: every script and style the page names is one of memwatch's own.
    assertThat(response.body()).doesNotContain("http://", "https://", "<script>", "style=");
  }

  @Test
  @Order(2)
  void drawsTheReadingsWithNoConsoleError() throws Exception {
    browser.get(page.toString());
    assertThat(browser.getTitle()).isEqualTo("memwatch");
    await(Duration.ofSeconds(60), "the charts draw at least ten readings, a live set and allocation sites", () -> {
      long memory = number("return memwatchCharts['chart-memory'].data[1].filter(v => v != null).length");
      long live = number("return memwatchCharts['chart-live'].data[1].filter(v => v != null).length");
      long allocation = number("return memwatchCharts['chart-allocation'].data[1].filter(v => v != null).length");
      String sites = browser.findElement(By.cssSelector("#allocation-sites tbody")).getText();
      return memory >= 10 && live >= 1 && allocation >= 5 && sites.contains("example.demo.DemoService")
          ? Optional.empty()
          : Optional.of("rss readings " + memory + ", live readings " + live + ", allocation readings " + allocation
              + ", allocation sites:\n" + sites);
    });
    // Drawn, not only held: each chart's canvas has thousands of painted pixels.
    for (String chart : List.of("chart-memory", "chart-live", "chart-allocation")) {
      long painted = number("const c = document.querySelector('#" + chart + " canvas');"
          + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
          + " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;");
      assertThat(painted).as("painted pixels of %s", chart).isGreaterThan(2_000);
    }
    assertThat(browser.findElement(By.id("status")).getText()).startsWith("updated");
    String verdict = browser.findElement(By.id("verdict")).getAttribute("class");
    assertThat(verdict).as("the verdict %s s after the demo's start", Duration.between(demoStarted, Instant.now()).toSeconds())
        .doesNotContain("suspected");
    screenshot("live-page.png");
    assertNoConsoleError();
  }

  @Test
  @Order(3)
  void theVerdictTurnsWhenTheDemoLeaks() throws Exception {
    Duration left = SUSPICION_DEADLINE.minus(Duration.between(demoStarted, Instant.now()));
    await(left, "the page's verdict turns to a suspected leak", () -> {
      String state = browser.findElement(By.id("verdict")).getAttribute("class");
      return state.contains("suspected") ? Optional.empty() : Optional.of("verdict " + state + ": "
          + browser.findElement(By.id("verdict")).getText());
    });
    System.err.println("LivePageBrowserTest: the page turned to a suspected leak "
        + Duration.between(demoStarted, Instant.now()).toSeconds() + " s after the demo's start");
    String verdict = browser.findElement(By.id("verdict")).getText();
    assertThat(verdict).contains("Leak suspected", "a minute", "heap runs out in about");
    assertThat(browser.findElement(By.id("verdict-suspects")).getText()).contains("example.demo.DemoService");
    await(Duration.ofSeconds(20), "the live chart draws the trend", () -> {
      long trend = number("return memwatchCharts['chart-live'].data[2].filter(v => v != null).length");
      return trend >= 2 ? Optional.empty() : Optional.of(trend + " trend points");
    });
    assertThat(browser.findElement(By.id("projection")).getText()).contains("heap exhausted in about");
    // The verdict is published before its line is written (the line waits for the retainers' read),
    // so the line may reach the page one feed later.
    await(Duration.ofSeconds(20), "memwatch's lines on the page say the leak", () -> {
      String said = browser.findElement(By.id("said")).getText();
      return said.contains("leak suspected") ? Optional.empty() : Optional.of("said: " + said);
    });
    screenshot("live-page-leak.png");
    assertNoConsoleError();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  static void requireChromium() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(NOT_INSTALLED + " (CI=true: this test must run on CI)");
    }
    Assumptions.abort(NOT_INSTALLED);
  }

  private static ChromeDriver startBrowser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // Headless, and nothing reaching for the network: this machine's network is closed.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1250", "--user-data-dir=" + Files.createTempDirectory(workDir, "chromium-"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(workDir.resolve("chromedriver.log").toFile())
        .build();
    return new ChromeDriver(service, options);
  }

  private static URI awaitPageUrl() throws Exception {
    Instant deadline = Instant.now().plus(START_DEADLINE);
    while (Instant.now().isBefore(deadline) && demo.isAlive()) {
      for (String line : demo.errLines()) {
        Matcher matcher = PAGE_LINE.matcher(line);
        if (matcher.find()) {
          return URI.create(matcher.group(1));
        }
      }
      Thread.sleep(100);
    }
    fail("no 'memwatch: serving metrics on ... and the live page on http://127.0.0.1:PORT/' line within "
        + START_DEADLINE.toSeconds() + " s\n" + demo.tails());
    throw new AssertionError("unreachable");
  }

  private static long number(String script) {
    Object value = ((JavascriptExecutor) browser).executeScript(script);
    return value instanceof Number n ? n.longValue() : -1;
  }

  private static void assertNoConsoleError() {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(entry.getLevel() + " " + entry.getMessage());
      }
    }
    assertThat(errors).as("console errors of the page").isEmpty();
  }

  private static void screenshot(String name) throws Exception {
    Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
  }

  interface Check {
    /** Empty when satisfied, else what is still wrong. */
    Optional<String> problem() throws Exception;
  }

  private static void await(Duration within, String what, Check check) throws Exception {
    Instant deadline = Instant.now().plus(within);
    Optional<String> problem;
    while (true) {
      if (!demo.isAlive()) {
        fail(what + ": the demo exited\n" + demo.tails());
      }
      problem = check.problem();
      if (problem.isEmpty()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        fail("not within " + within.toSeconds() + " s: " + what + "\n" + problem.get() + "\n" + demo.tails());
      }
      Thread.sleep(1000);
    }
  }
}
