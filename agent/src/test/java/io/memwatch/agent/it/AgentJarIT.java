package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The packaged jar: self-contained, every dependency relocated, the manifest an agent needs. */
class AgentJarIT {
  @Test
  void everyClassLivesUnderTheProjectPackage() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      var strays = jar.stream().map(JarEntry::getName)
          .filter(name -> name.endsWith(".class"))
          .map(name -> name.replaceFirst("^META-INF/versions/\\d+/", ""))
          .filter(name -> !name.startsWith("io/memwatch/"))
          .collect(Collectors.toList());
      assertThat(strays).as("classes outside io/memwatch/ clash with the host's own copies").isEmpty();
      assertThat(jar.getEntry("io/memwatch/shaded/net/bytebuddy/ByteBuddy.class")).isNotNull();
      assertThat(jar.getEntry("io/memwatch/shaded/org/jctools/queues/atomic/MpscAtomicArrayQueue.class")).isNotNull();
    }
  }

  @Test
  void manifestDeclaresBothEntryPointsAndRetransformation() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertThat(main.getValue("Premain-Class")).isEqualTo("io.memwatch.agent.MemwatchAgent");
      assertThat(main.getValue("Agent-Class")).isEqualTo("io.memwatch.agent.MemwatchAgent");
      assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
      assertThat(main.getValue("Multi-Release")).isEqualTo("true");
    }
  }
}
