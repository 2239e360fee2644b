package io.memwatch.agent.attach;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What Linux's /proc tells about a process without sending it anything. Every answer is empty
 * where /proc cannot tell (another system, a file this user may not read), and the caller then
 * leaves the question to the Attach API.
 *
 * <p>The point is to look before the Attach API leaps: when a target has no attach socket yet, the
 * API sends it SIGQUIT, which kills a process that does not handle it (JDK 17 does not check first).
 */
final class ProcFacts {
  private static final Path PROC = Path.of("/proc");
  private static final long SIGQUIT_BIT = 1L << (3 - 1);

  private final long pid;
  private final Path dir;

  ProcFacts(long pid) {
    this.pid = pid;
    this.dir = PROC.resolve(Long.toString(pid));
  }

  static boolean available() {
    return Files.isDirectory(PROC.resolve("self"));
  }

  /** The effective user id of this process. */
  static Optional<Long> ownEffectiveUid() {
    return new ProcFacts(ProcessHandle.current().pid()).effectiveUid();
  }

  /** The process's effective user id, from the second field of {@code Uid:} in its status file. */
  Optional<Long> effectiveUid() {
    return statusField("Uid").map(fields -> Long.parseLong(fields[1]));
  }

  /** The kernel's short name of the process (what {@code ps} shows). */
  Optional<String> name() {
    try {
      return Optional.of(Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether a JVM library (HotSpot's or OpenJ9's) is mapped into the process. */
  Optional<Boolean> runsJvm() {
    return mapsLibrary("/libjvm.so", "/libj9vm");
  }

  /** Whether the process is an OpenJ9 JVM, whose attach mechanism differs from HotSpot's. */
  Optional<Boolean> runsOpenJ9() {
    return mapsLibrary("/libj9vm");
  }

  private Optional<Boolean> mapsLibrary(String... names) {
    try (Stream<String> maps = Files.lines(dir.resolve("maps"), StandardCharsets.ISO_8859_1)) {
      return Optional.of(maps.anyMatch(line -> Arrays.stream(names).anyMatch(line::contains)));
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return Optional.empty();
    }
  }

  /** Whether the process installed a handler for SIGQUIT, the signal that starts a JVM's attach listener. */
  Optional<Boolean> catchesSigquit() {
    return statusField("SigCgt").map(fields -> (Long.parseUnsignedLong(last16(fields[0]), 16) & SIGQUIT_BIT) != 0);
  }

  /** Whether the JVM's attach listener already listens: its socket in /tmp as the process sees it. */
  boolean attachSocketExists() {
    long innerPid = statusField("NSpid").map(fields -> Long.parseLong(fields[fields.length - 1])).orElse(pid);
    return Files.exists(Path.of("/tmp", ".java_pid" + pid))
        || Files.exists(dir.resolve("root").resolve("tmp").resolve(".java_pid" + innerPid));
  }

  /** The command line's arguments, and the options the launcher and the JVM also read from the environment. */
  List<String> launchOptions() {
    List<String> options = new ArrayList<>();
    try {
      options.addAll(Arrays.asList(new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8).split("\0")));
    } catch (IOException | RuntimeException e) {
      // unreadable: the environment may still tell
    }
    environment().forEach((name, value) -> {
      if (name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS") || name.equals("_JAVA_OPTIONS")) {
        options.addAll(Arrays.asList(value.trim().split("\\s+")));
      }
    });
    return options;
  }

  /** The process's environment as it started; empty if unreadable. */
  Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>();
    try {
      for (String entry : new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
        int equals = entry.indexOf('=');
        if (equals > 0) {
          environment.put(entry.substring(0, equals), entry.substring(equals + 1));
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: as if empty
    }
    return environment;
  }

  /** Whether the process uses this process's network namespace (so its ports are ours); empty if unknown. */
  Optional<Boolean> sharesNetwork() {
    try {
      return Optional.of(Files.readSymbolicLink(dir.resolve("ns").resolve("net"))
          .equals(Files.readSymbolicLink(PROC.resolve("self").resolve("ns").resolve("net"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private Optional<String[]> statusField(String field) {
    try (Stream<String> lines = Files.lines(dir.resolve("status"), StandardCharsets.ISO_8859_1)) {
      return lines.filter(line -> line.startsWith(field + ":"))
          .map(line -> line.substring(field.length() + 1).trim().split("\\s+"))
          .findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String last16(String hex) {
    return hex.length() > 16 ? hex.substring(hex.length() - 16) : hex;
  }
}
