package io.memwatch.agent.owncode;

import java.util.List;

/**
 * The application's own code, as found at start: the packages of its own classes (not the JDK's,
 * not its libraries'), and where they were found.
 *
 * @param packages package roots, each meaning that package and everything below it; the empty
 *     string is the default package
 * @param from where they were found, for the debug line: {@code Spring Boot jar app.jar (BOOT-INF/classes)}
 * @param problem why nothing was found, or null when something was
 */
public record OwnCode(List<String> packages, String from, String problem) {
  public OwnCode {
    packages = List.copyOf(packages);
  }

  static OwnCode found(List<String> packages, String from) {
    return packages.isEmpty()
        ? unknown("no classes found in " + from)
        : new OwnCode(packages, from, null);
  }

  static OwnCode unknown(String problem) {
    return new OwnCode(List.of(), null, problem);
  }

  public boolean isKnown() {
    return problem == null;
  }
}
