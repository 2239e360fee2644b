package io.memwatch.collector.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcStatusTest {
  @TempDir Path dir;

  @Test
  void readsVmRssInBytes() throws Exception {
    Path status = Files.writeString(dir.resolve("status"),
        "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  80000 kB\nVmRSS:\t   70456 kB\nRssAnon:\t 60000 kB\n");

    assertThat(new ProcStatus(status).residentSetBytes()).hasValue(70456L * 1024);
    assertThat(new ProcStatus(status).field("VmHWM:")).hasValue(80000L * 1024);
  }

  @Test
  void missingFileOrFieldIsEmptyNotAnError() throws Exception {
    assertThat(new ProcStatus(dir.resolve("absent")).residentSetBytes()).isEmpty();
    assertThat(new ProcStatus(dir.resolve("absent")).available()).isFalse();
    Path noRss = Files.writeString(dir.resolve("status"), "Name:\tjava\n");
    assertThat(new ProcStatus(noRss).residentSetBytes()).isEmpty();
  }

  @Test
  void agreesWithThisProcessOnLinux() {
    ProcStatus self = new ProcStatus(ProcStatus.SELF);
    if (self.available()) {
      assertThat(self.residentSetBytes().orElseThrow()).isGreaterThan(1 << 20);
    }
  }
}
