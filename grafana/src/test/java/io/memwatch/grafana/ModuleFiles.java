package io.memwatch.grafana;

import java.nio.file.Path;

/** Files of this module, resolved against its base directory (Maven runs tests there). */
final class ModuleFiles {
  private ModuleFiles() {}

  static Path baseDir() {
    String basedir = System.getProperty("basedir");
    return (basedir == null ? Path.of("") : Path.of(basedir)).toAbsolutePath();
  }

  static Path path(String relative) {
    return baseDir().resolve(relative);
  }
}
