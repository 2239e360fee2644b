package io.memwatch.grafana;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus's {@code promtool} as a child process. Where it is missing the calling test is skipped,
 * except on CI ({@code CI=true}), where a missing promtool fails the build instead of hiding the checks.
 */
final class Promtool {
  static final String NOT_INSTALLED = "promtool not installed: apt-get install prometheus";

  private Promtool() {}

  record Result(List<String> command, int exitCode, String output) {
    String describe() {
      return String.join(" ", command) + " exited with " + exitCode + ":\n" + output;
    }
  }

  static Optional<Path> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "promtool");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The promtool executable; skips the test without one, or fails it on CI. */
  static Path require() {
    Optional<Path> promtool = find();
    if (promtool.isEmpty()) {
      if ("true".equals(System.getenv("CI"))) {
        fail(NOT_INSTALLED + " (CI=true: these checks must run on CI)");
      }
      Assumptions.abort(NOT_INSTALLED);
    }
    return promtool.get();
  }

  /** Runs {@code promtool args...} in {@code workDir} and returns its exit code and combined output. */
  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    // Output goes to a file, so a promtool that hangs cannot block the test on a full pipe or a read.
    Path log = Files.createTempFile("promtool-", ".log");
    try {
      Process process = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within 2 minutes:\n" + Files.readString(log));
      }
      return new Result(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
