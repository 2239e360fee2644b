package io.memwatch.collector.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The container's memory limit from the cgroup file system, where there is one.
 *
 * <p>cgroup v2 keeps it in {@code memory.max} ("max" means none) under the process's own group;
 * v1 in {@code memory/memory.limit_in_bytes}, where "no limit" is written as a huge number
 * (LONG_MAX rounded down to a page), so anything at or above {@link #V1_UNLIMITED_FLOOR} is none.
 */
public final class CgroupMemoryLimit {
  static final long V1_UNLIMITED_FLOOR = 1L << 60;

  private final Path cgroupRoot;
  private final Path procSelfCgroup;

  public CgroupMemoryLimit(Path cgroupRoot, Path procSelfCgroup) {
    this.cgroupRoot = cgroupRoot;
    this.procSelfCgroup = procSelfCgroup;
  }

  public static CgroupMemoryLimit system() {
    return new CgroupMemoryLimit(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"));
  }

  /** The limit in bytes, or empty when there is none or it cannot be read. */
  public OptionalLong limitBytes() {
    OptionalLong v2 = v2Limit();
    return v2.isPresent() ? v2 : v1Limit();
  }

  private OptionalLong v2Limit() {
    // Inside a container the group is usually mounted as the root; on a host it is a sub-path.
    for (Path candidate : List.of(cgroupRoot.resolve(ownV2Group()).resolve("memory.max"), cgroupRoot.resolve("memory.max"))) {
      String value = readFirstLine(candidate);
      if (value != null) {
        return value.equals("max") ? OptionalLong.empty() : parse(value);
      }
    }
    return OptionalLong.empty();
  }

  private OptionalLong v1Limit() {
    String value = readFirstLine(cgroupRoot.resolve("memory").resolve("memory.limit_in_bytes"));
    if (value == null) {
      return OptionalLong.empty();
    }
    OptionalLong limit = parse(value);
    return limit.isPresent() && limit.getAsLong() >= V1_UNLIMITED_FLOOR ? OptionalLong.empty() : limit;
  }

  /** The path of the v2 group from the "0::/path" line of /proc/self/cgroup, relative, or "". */
  private String ownV2Group() {
    try {
      for (String line : Files.readAllLines(procSelfCgroup)) {
        if (line.startsWith("0::")) {
          String path = line.substring(3);
          return path.startsWith("/") ? path.substring(1) : path;
        }
      }
    } catch (IOException e) {
      return "";
    }
    return "";
  }

  private static String readFirstLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? null : lines.get(0).trim();
    } catch (IOException e) {
      return null;
    }
  }

  private static OptionalLong parse(String value) {
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
