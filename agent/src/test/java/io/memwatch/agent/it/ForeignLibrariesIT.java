package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.ForeignLibrariesApp;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Nothing of the agent is visible to the host: its own, older Micrometer and Byte Buddy run unaffected. */
class ForeignLibrariesIT {
  @Test
  void hostSeesOnlyItsOwnCopiesAndBothWork() throws Exception {
    String classpath = ChildJvm.fixtureClasspath() + File.pathSeparator + hostLibraries();

    try (ChildJvm child = ChildJvm.withAgent("port=0").classpath(classpath).run(ForeignLibrariesApp.class, "6000")) {
      assertThat(child.awaitStdout("^micrometer=", Duration.ofSeconds(30))).contains("micrometer-core-1.14.0.jar");
      assertThat(child.awaitStdout("^bytebuddy=", Duration.ofSeconds(5))).contains("byte-buddy-1.15.11.jar");
      assertThat(child.awaitStdout("^counter=", Duration.ofSeconds(5))).isEqualTo("counter=3.0");
      assertThat(child.awaitStdout("^generated=", Duration.ofSeconds(5))).isEqualTo("generated=made by the host's Byte Buddy");
      assertThat(ChildJvm.sample(child.scrape(), "memwatch_heap_used_bytes")).isPresent();
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }

  private static String hostLibraries() throws IOException {
    Path dir = Path.of(System.getProperty("test.host.libs", "target/host-libs"));
    try (Stream<Path> jars = Files.list(dir)) {
      return jars.map(Path::toString).sorted().collect(Collectors.joining(File.pathSeparator));
    }
  }
}
