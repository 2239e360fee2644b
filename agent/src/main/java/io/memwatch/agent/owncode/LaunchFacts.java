package io.memwatch.agent.owncode;

import java.nio.file.Path;

/**
 * How the JVM was launched, as far as it tells itself: the command ({@code sun.java.command}: the
 * main class or the jar given to {@code -jar}, then the arguments), the class path, and the
 * directory relative paths are resolved from. The same in {@code premain} and after an attach,
 * since the agent runs inside the application's JVM either way.
 */
public record LaunchFacts(String command, String classPath, Path workingDirectory) {
  public static LaunchFacts ofThisJvm() {
    return new LaunchFacts(System.getProperty("sun.java.command"), System.getProperty("java.class.path", ""),
        Path.of(System.getProperty("user.dir", ".")));
  }
}
