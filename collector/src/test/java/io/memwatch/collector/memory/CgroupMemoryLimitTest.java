package io.memwatch.collector.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupMemoryLimitTest {
  @TempDir Path root;

  private CgroupMemoryLimit limit(String procSelfCgroup) throws IOException {
    Path proc = Files.writeString(root.resolve("proc-self-cgroup"), procSelfCgroup);
    return new CgroupMemoryLimit(root.resolve("sys"), proc);
  }

  private void write(String relative, String content) throws IOException {
    Path file = root.resolve("sys").resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void v2LimitInTheProcessOwnGroup() throws IOException {
    write("system.slice/app.service/memory.max", "536870912\n");
    assertThat(limit("0::/system.slice/app.service\n").limitBytes()).hasValue(536870912L);
  }

  @Test
  void v2LimitAtTheRootInsideAContainer() throws IOException {
    write("memory.max", "1073741824\n");
    assertThat(limit("0::/\n").limitBytes()).hasValue(1073741824L);
  }

  @Test
  void v2MaxMeansNoLimit() throws IOException {
    write("memory.max", "max\n");
    assertThat(limit("0::/\n").limitBytes()).isEmpty();
  }

  @Test
  void v1Limit() throws IOException {
    write("memory/memory.limit_in_bytes", "268435456\n");
    assertThat(limit("9:memory:/docker/abc\n").limitBytes()).hasValue(268435456L);
  }

  @Test
  void v1HugeValueMeansNoLimit() throws IOException {
    write("memory/memory.limit_in_bytes", "9223372036854771712\n");
    assertThat(limit("9:memory:/\n").limitBytes()).isEmpty();
  }

  @Test
  void nothingReadableMeansNoLimit() throws IOException {
    assertThat(limit("").limitBytes()).isEmpty();
    write("memory/memory.limit_in_bytes", "garbage\n");
    assertThat(limit("").limitBytes()).isEmpty();
  }
}
