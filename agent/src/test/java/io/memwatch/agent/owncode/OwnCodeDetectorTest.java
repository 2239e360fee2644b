package io.memwatch.agent.owncode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Own code told from libraries by where the classes are, for every way a JVM is commonly launched. */
class OwnCodeDetectorTest {
  @TempDir
  Path dir;

  private Path jar(String name, Map<String, String> manifest, String... entries) throws IOException {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.forEach((key, value) -> mf.getMainAttributes().putValue(key, value));
    Path path = dir.resolve(name);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(path), mf)) {
      for (String entry : entries) {
        out.putNextEntry(new JarEntry(entry));
        out.closeEntry();
      }
    }
    return path;
  }

  private Path classes(String name, String... classFiles) throws IOException {
    Path root = dir.resolve(name);
    for (String classFile : classFiles) {
      Path file = root.resolve(classFile);
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(0xCA);
      }
    }
    return root;
  }

  private OwnCode detect(String command, String classPath) {
    return OwnCodeDetector.detect(new LaunchFacts(command, classPath, dir));
  }

  @Test
  void javaDashJarIsThatJarsPackagesReducedToTheirRoots() throws Exception {
    jar("app.jar", Map.of("Main-Class", "com.example.app.Main"),
        "com/example/app/Main.class", "com/example/app/web/Controller.class", "com/example/util/Strings.class",
        "org/acme/tools/Helper.class", "META-INF/versions/11/com/example/app/Main.class", "module-info.class");

    OwnCode own = detect("app.jar --port 8080", "app.jar");

    assertThat(own.isKnown()).isTrue();
    assertThat(own.packages()).containsExactly("com.example.app", "com.example.util", "org.acme.tools");
    assertThat(own.from()).isEqualTo("jar app.jar");
  }

  @Test
  void aJarBundlingOtherArtifactsCountsOnlyItsMainClasssPackageRoot() throws Exception {
    jar("fat.jar", Map.of("Main-Class", "com.example.app.Main"),
        "com/example/app/Main.class", "com/example/core/Model.class", "com/google/common/collect/Lists.class",
        "META-INF/maven/com.example/app/pom.properties", "META-INF/maven/com.google.guava/guava/pom.properties");

    assertThat(detect("fat.jar", "fat.jar").packages()).containsExactly("com.example.app", "com.example.core");
  }

  @Test
  void aSpringBootJarIsItsBootInfClassesNotItsNestedLibraries() throws Exception {
    jar("service.jar", Map.of("Main-Class", "org.springframework.boot.loader.launch.JarLauncher",
            "Start-Class", "com.example.orders.OrdersApplication"),
        "org/springframework/boot/loader/launch/JarLauncher.class",
        "BOOT-INF/", "BOOT-INF/classes/", "BOOT-INF/classes/com/example/orders/OrdersApplication.class",
        "BOOT-INF/classes/com/example/orders/web/OrdersController.class", "BOOT-INF/classes/application.properties",
        "BOOT-INF/lib/spring-web-6.2.12.jar", "BOOT-INF/lib/jackson-databind-2.19.2.jar");

    OwnCode own = detect("service.jar", "service.jar");

    assertThat(own.packages()).containsExactly("com.example.orders");
    assertThat(own.from()).isEqualTo("Spring Boot jar service.jar (BOOT-INF/classes)");
  }

  @Test
  void aClassPathIsTheMainClasssEntryAndEveryDirectoryNotTheOtherJars() throws Exception {
    classes("classes", "com/example/Main.class", "com/example/db/Repo.class");
    classes("generated", "org/acme/gen/Api.class");
    jar("lib.jar", Map.of(), "com/fasterxml/jackson/databind/ObjectMapper.class");
    String classPath = String.join(File.pathSeparator, "classes", "lib.jar", dir.resolve("generated").toString());

    OwnCode own = detect("com.example.Main arg1 arg2", classPath);

    assertThat(own.packages()).containsExactly("com.example", "org.acme.gen");
    assertThat(own.from()).startsWith("class path ");
  }

  @Test
  void aMainClassInAJarOnTheClassPathMakesThatJarOwnCode() throws Exception {
    jar("app.jar", Map.of(), "com/example/Main.class", "com/example/Service.class");
    jar("lib.jar", Map.of(), "org/slf4j/Logger.class");

    assertThat(detect("com.example.Main", "lib.jar" + File.pathSeparator + "app.jar").packages()).containsExactly("com.example");
  }

  @Test
  void aMainClassInAJarBundlingOtherArtifactsOnTheClassPathCountsOnlyItsRoot() throws Exception {
    // java -cp benchmarks.jar io.memwatch.benchmarks.Main, the jar shaded with Jackson and JMH inside.
    jar("bench.jar", Map.of(), "io/memwatch/benchmarks/Main.class", "io/memwatch/benchmarks/work/Load.class",
        "com/fasterxml/jackson/databind/ObjectMapper.class", "org/openjdk/jmh/Main.class",
        "META-INF/maven/io.memwatch/benchmarks/pom.properties", "META-INF/maven/org.openjdk.jmh/jmh-core/pom.properties");

    assertThat(detect("io.memwatch.benchmarks.Main", "bench.jar").packages()).containsExactly("io.memwatch.benchmarks");
  }

  @Test
  void afterAnAttachTheTargetsOwnCommandTellsTheSameAndTheDefaultPackageCounts() throws Exception {
    // Attached by PID, the agent reads the target's sun.java.command: a plain class in the default package here.
    classes("out", "Main.class", "Main$Worker.class", "tools/Util.class");

    OwnCode own = detect("Main 12 34", "out");

    assertThat(own.packages()).containsExactly("", "tools");
    PackageGlobs globs = new PackageGlobs(own.packages());
    assertThat(globs.matches("Main$Worker")).isTrue();
    assertThat(globs.matches("tools.deep.Util")).isTrue();
    assertThat(globs.matches("org.other.Thing")).isFalse();
  }

  @Test
  void memwatchsOwnPackagesAreNeverTheApplications() throws Exception {
    classes("test-classes", "example/fixtures/App.class", "io/memwatch/agent/it/SomeIT.class");

    assertThat(detect("example.fixtures.App", "test-classes").packages()).containsExactly("example.fixtures");
  }

  @Test
  void whatCannotBeToldIsSaidNotGuessed() throws Exception {
    jar("lib.jar", Map.of(), "org/slf4j/Logger.class");

    assertThat(detect(null, "").problem()).contains("sun.java.command");
    assertThat(detect("com.example.Missing", "lib.jar").problem()).contains("com.example.Missing was not found");
    assertThat(detect("gone.jar", "gone.jar").problem()).contains("gone.jar cannot be read");
    assertThat(detect("jdk.compiler/com.sun.tools.javac.launcher.Main Script.java", "").isKnown()).isFalse();
  }
}
