package io.memwatch.agent.owncode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PackageGlobsTest {
  @Test
  void aPackageNamesItselfAndEverythingBelow() {
    PackageGlobs globs = new PackageGlobs(List.of("com.example"));
    assertThat(globs.matches("com.example.Cache")).isTrue();
    assertThat(globs.matches("com.example.deep.down.Thing")).isTrue();
    assertThat(globs.matches("com.examples.Cache")).isFalse();
    assertThat(globs.matches("org.example.Cache")).isFalse();
  }

  @Test
  void trailingStarsMeanTheSame() {
    for (String glob : List.of("com.example.*", "com.example.**")) {
      PackageGlobs globs = new PackageGlobs(List.of(glob));
      assertThat(globs.matches("com.example.Cache")).as(glob).isTrue();
      assertThat(globs.matches("com.example.sub.Cache")).as(glob).isTrue();
      assertThat(globs.matches("com.other.Cache")).as(glob).isFalse();
    }
  }

  @Test
  void innerStarIsOneSegmentDoubleStarAny() {
    PackageGlobs one = new PackageGlobs(List.of("com.*.cache"));
    assertThat(one.matches("com.shop.cache.Lru")).isTrue();
    assertThat(one.matches("com.shop.eu.cache.Lru")).isFalse();
    PackageGlobs any = new PackageGlobs(List.of("com.**.cache"));
    assertThat(any.matches("com.shop.eu.cache.Lru")).isTrue();
  }

  @Test
  void classesInTheDefaultPackageMatchNothingButAnEmptyList() {
    assertThat(new PackageGlobs(List.of("com")).matches("Main")).isFalse();
    assertThat(new PackageGlobs(List.of()).isEmpty()).isTrue();
  }
}
