package io.memwatch.agent.owncode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UserCodeTest {
  @Test
  void includeLessExcludeAndNeverTheJdkOrMemwatch() {
    UserCode code = new UserCode(List.of("com.example", "**.generated"), List.of("com.example.legacy"));

    assertThat(code.contains("com.example.Cache")).isTrue();
    assertThat(code.contains("org.acme.generated.Api")).isTrue();
    assertThat(code.contains("com.example.legacy.Old")).isFalse();
    assertThat(code.contains("org.acme.Other")).isFalse();

    UserCode everything = new UserCode(List.of("**"), List.of());
    assertThat(everything.contains("com.fasterxml.jackson.databind.ObjectMapper")).isTrue();
    assertThat(everything.contains("Main")).isTrue();
    assertThat(everything.contains("java.util.HashMap")).isFalse();
    assertThat(everything.contains("jdk.internal.misc.Unsafe")).isFalse();
    assertThat(everything.contains("com.sun.proxy.$Proxy12")).isFalse();
    assertThat(everything.contains("com.sun.jersey.spi.Container")).isTrue();
    assertThat(everything.contains("io.memwatch.agent.hook.AllocationHook")).isFalse();
    assertThat(everything.contains("io.memwatch.shaded.io.micrometer.core.instrument.Meter")).isFalse();
  }

  @Test
  void nothingIncludedIsNothingHooked() {
    assertThat(new UserCode(List.of(), List.of()).contains("com.example.Cache")).isFalse();
  }
}
