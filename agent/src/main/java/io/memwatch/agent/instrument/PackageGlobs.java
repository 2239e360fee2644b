package io.memwatch.agent.instrument;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code include}/{@code exclude} globs. A glob names packages: {@code com.example} or
 * {@code com.example.*} is that package and everything below it; inside a glob {@code *} is one
 * package segment or part of one, and {@code **} any number of segments.
 */
final class PackageGlobs {
  private final List<Pattern> patterns;

  PackageGlobs(List<String> globs) {
    this.patterns = globs.stream().map(PackageGlobs::compile).toList();
  }

  boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** Whether the class with this binary name is in a package one of the globs names. */
  boolean matches(String className) {
    int lastDot = className.lastIndexOf('.');
    String pkg = lastDot < 0 ? "" : className.substring(0, lastDot);
    for (Pattern pattern : patterns) {
      if (pattern.matcher(pkg).matches()) {
        return true;
      }
    }
    return false;
  }

  static Pattern compile(String glob) {
    String root = glob.replaceAll("\\.\\*\\*?$", "");
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < root.length(); i++) {
      char c = root.charAt(i);
      if (c == '*' && i + 1 < root.length() && root.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^.]*");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    // The package itself, or any package below it.
    return Pattern.compile(regex + "(\\..*)?");
  }
}
