package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.HostAgentsApp;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that brings agents of its own, one on its own Byte Buddy and one a bare transformer,
 * loaded before memwatch and after it: each does what it did without memwatch, memwatch works, and
 * nothing fails to instrument. The two JVMs run at once.
 */
class HostAgentsIT {
  @TempDir Path dir;

  @Test
  void agentsOfTheHostBeforeAndAfterMemwatchWorkAsWithoutIt() throws Exception {
    String plain = "-javaagent:" + agentJar("plain.jar", HostAgentsApp.Plain.class);
    String withByteBuddy = "-javaagent:" + agentJar("bytebuddy.jar", HostAgentsApp.WithByteBuddy.class);
    String memwatch = "-javaagent:" + ChildJvm.agentJar() + "=port=0";
    // The host's own, unshaded copy of Byte Buddy: this test's, which knows Java 25 class files (the
    // 1.15 of ForeignLibrariesIT does not, and fails the same on 25 without memwatch).
    String classpath = ChildJvm.fixtureClasspath() + File.pathSeparator
        + Path.of(net.bytebuddy.ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (ChildJvm before = ChildJvm.withoutAgent().jvmArg(plain).jvmArg(withByteBuddy).jvmArg(memwatch).classpath(classpath)
            .run(HostAgentsApp.class, "4000");
        ChildJvm after = ChildJvm.withoutAgent().jvmArg(memwatch).jvmArg(withByteBuddy).jvmArg(plain).classpath(classpath)
            .run(HostAgentsApp.class, "4000")) {
      // Both while they run (four seconds), then their ends.
      for (ChildJvm child : new ChildJvm[] {before, after}) {
        assertThat(ChildJvm.sample(child.scrape(), "memwatch_instrumentation_errors_total")).hasValue(0.0);
      }
      for (ChildJvm child : new ChildJvm[] {before, after}) {
        assertThat(child.waitFor(Duration.ofSeconds(60))).isZero();
        assertThat(child.stdout()).contains("greet=hooked by the host's Byte Buddy", "plain saw classes=true", "app: done");
        // The host's Byte Buddy may warn about sun.misc.Unsafe on 24 and later: its lines, not memwatch's.
        assertThat(child.stderr()).noneMatch(line -> line.contains("Exception") || line.contains("ERROR"));
        assertThat(child.stderr()).filteredOn(line -> line.contains("memwatch")).allSatisfy(line ->
            assertThat(line).satisfiesAnyOf(l -> assertThat(l).startsWith("memwatch: "), l -> assertThat(l).startsWith("WARNING: ")));
      }
      assertThat(before.stdout()).contains("agents=plain,bytebuddy");
      assertThat(after.stdout()).contains("agents=bytebuddy,plain");
    }
  }

  /** An agent jar with only a manifest: its class comes from the host's class path. */
  private Path agentJar(String name, Class<?> premainClass) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Premain-Class", premainClass.getName());
    manifest.getMainAttributes().putValue("Can-Retransform-Classes", "true");
    Path jar = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      return jar;
    }
  }
}
