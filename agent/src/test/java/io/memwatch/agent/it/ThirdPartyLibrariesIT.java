package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import example.fixtures.ThirdPartyWorkloadApp;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Jackson and Guava, instrumented whole ({@code include=**}) at the default sampling rate: no errors, identical results. */
class ThirdPartyLibrariesIT {
  @Test
  void instrumentedLibrariesComputeExactlyWhatTheyDoWithout() throws Exception {
    String classpath = ChildJvm.fixtureClasspath() + File.pathSeparator + thirdPartyJars();
    String plain;
    try (ChildJvm child = ChildJvm.withoutAgent().classpath(classpath).run(ThirdPartyWorkloadApp.class, "300")) {
      child.awaitStdout("^warmed up", Duration.ofSeconds(60));
      child.writeStdin("go");
      plain = child.awaitStdout("^checksum=", Duration.ofSeconds(90));
      child.closeStdin();
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
    }

    try (ChildJvm child = ChildJvm.withAgent("port=0,include=**,debug=true").classpath(classpath)
        .run(ThirdPartyWorkloadApp.class, "300")) {
      child.awaitStdout("^warmed up", Duration.ofSeconds(60));
      // The libraries' classes were loaded while the agent started: wait until they are instrumented.
      child.awaitStderr("allocation instrumentation in place", Duration.ofSeconds(90));
      child.writeStdin("go");
      assertThat(child.awaitStdout("^checksum=", Duration.ofSeconds(120))).isEqualTo(plain);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        String scrape = child.scrape();
        assertThat(ChildJvm.sample(scrape, "memwatch_instrumentation_errors_total")).hasValue(0.0);
        assertThat(ChildJvm.sample(scrape, "memwatch_instrumented_classes_total"))
            .hasValueSatisfying(classes -> assertThat(classes).isGreaterThan(300));
        assertThat(AllocationSitesIT.siteBytes(scrape).keySet())
            .anyMatch(site -> site.startsWith("com.fasterxml.jackson."))
            .anyMatch(site -> site.startsWith("com.google.common."));
      });
      child.closeStdin();
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
      assertThat(child.stderr()).noneMatch(line -> line.contains("VerifyError") || line.contains("uninstrumented"));
    }
  }

  static String thirdPartyJars() throws Exception {
    Path dir = Path.of(System.getProperty("test.third.party", "target/third-party"));
    try (Stream<Path> jars = Files.list(dir)) {
      return jars.map(Path::toString).sorted().collect(Collectors.joining(File.pathSeparator));
    }
  }
}
