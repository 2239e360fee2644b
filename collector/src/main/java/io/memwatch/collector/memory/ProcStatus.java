package io.memwatch.collector.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads the resident set size from Linux's {@code /proc/<pid>/status}: cheap, and what top shows. */
public final class ProcStatus {
  public static final Path SELF = Path.of("/proc/self/status");

  private final Path file;

  public ProcStatus(Path file) {
    this.file = file;
  }

  /** True where the file exists, i.e. on Linux. */
  public boolean available() {
    return Files.isReadable(file);
  }

  /** VmRSS in bytes, or empty when the file or the field is missing. */
  public OptionalLong residentSetBytes() {
    return field("VmRSS:");
  }

  /** A {@code kB} field of the status file in bytes, or empty. */
  public OptionalLong field(String name) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(name)) {
          return OptionalLong.of(parseKilobytes(line.substring(name.length())));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  // The kernel writes "   123456 kB": the unit is always kB (KiB) for these fields.
  static long parseKilobytes(String value) {
    String trimmed = value.trim();
    int space = trimmed.indexOf(' ');
    String number = space < 0 ? trimmed : trimmed.substring(0, space);
    return Long.parseLong(number) * 1024;
  }
}
