package io.memwatch.agent.owncode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Package globs, as {@code include} and {@code exclude} take them. A glob names packages:
 * {@code com.example} or {@code com.example.*} is that package and everything below it; inside a
 * glob {@code *} is one package segment or part of one, and {@code **} any number of segments.
 *
 * <p>Globs without a wildcard (all the detected own-code packages are such) are looked up in a
 * set, one look-up per enclosing package, rather than run as regular expressions: the JVM's
 * sampler asks about every frame's class. The empty string, which no user can type, stands for
 * the default (unnamed) package alone.
 */
public final class PackageGlobs {
  private final List<String> globs;
  private final Set<String> literalRoots = new HashSet<>();
  private final List<Pattern> patterns = new ArrayList<>();

  public PackageGlobs(List<String> globs) {
    this.globs = List.copyOf(globs);
    for (String glob : globs) {
      String root = glob.replaceAll("\\.\\*\\*?$", "");
      if (root.indexOf('*') < 0) {
        literalRoots.add(root);
      } else {
        patterns.add(compile(root));
      }
    }
  }

  public boolean isEmpty() {
    return globs.isEmpty();
  }

  public List<String> globs() {
    return globs;
  }

  /** Whether the class with this binary name is in a package one of the globs names. */
  public boolean matches(String className) {
    int lastDot = className.lastIndexOf('.');
    if (lastDot < 0) {
      return literalRoots.contains("") || matchesPattern("");
    }
    if (!literalRoots.isEmpty()) {
      for (int dot = className.indexOf('.'); dot > 0 && dot <= lastDot; dot = className.indexOf('.', dot + 1)) {
        if (literalRoots.contains(className.substring(0, dot))) {
          return true;
        }
      }
    }
    return !patterns.isEmpty() && matchesPattern(className.substring(0, lastDot));
  }

  private boolean matchesPattern(String pkg) {
    for (Pattern pattern : patterns) {
      if (pattern.matcher(pkg).matches()) {
        return true;
      }
    }
    return false;
  }

  static Pattern compile(String root) {
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

  @Override
  public String toString() {
    return String.join(";", globs);
  }
}
