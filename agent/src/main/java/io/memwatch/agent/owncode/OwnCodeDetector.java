package io.memwatch.agent.owncode;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Tells the application's own code from its libraries by where the classes come from:
 * <ul>
 *   <li>{@code java -jar app.jar}: the classes in that jar; a Spring Boot jar (a {@code Start-Class}
 *       in its manifest) keeps them in {@code BOOT-INF/classes} ({@code WEB-INF/classes} in a war),
 *       its libraries being the nested jars in {@code BOOT-INF/lib}; a jar that bundles other
 *       artifacts (more than one Maven {@code pom.properties}, as a shaded jar has) counts only
 *       the packages under its main class's package root;
 *   <li>{@code java -cp ... com.example.Main}: the class-path entry that holds the main class, and
 *       every directory on the class path (build output); other jars are libraries.
 * </ul>
 * The JVM's sampler names frames by class only, so own code is a set of packages: the packages of
 * the classes found there, reduced to their roots.
 */
public final class OwnCodeDetector {
  private static final String[] NESTED_CLASSES = {"BOOT-INF/classes/", "WEB-INF/classes/"};
  /** Packages whose classes never count as the application's, wherever they were found. */
  private static final String[] NEVER_OWN = {"io.memwatch.agent", "io.memwatch.collector", "io.memwatch.shaded"};

  private OwnCodeDetector() {}

  public static OwnCode detect(LaunchFacts facts) {
    try {
      return detectOrThrow(facts);
    } catch (IOException | RuntimeException e) {
      return OwnCode.unknown("reading the application's classes failed (" + e + ")");
    }
  }

  private static OwnCode detectOrThrow(LaunchFacts facts) throws IOException {
    String command = facts.command() == null ? "" : facts.command().trim();
    if (command.isEmpty()) {
      return OwnCode.unknown("the JVM does not say how it was launched (no sun.java.command)");
    }
    String first = command.split("\\s+", 2)[0];
    if (first.endsWith(".jar") || first.endsWith(".war")) {
      return fromJar(facts.workingDirectory().resolve(first));
    }
    // "module/class" with -m; a plain class name otherwise.
    String mainClass = first.contains("/") ? first.substring(first.indexOf('/') + 1) : first;
    return fromClassPath(mainClass, facts);
  }

  private static OwnCode fromJar(Path jarPath) throws IOException {
    if (!Files.isRegularFile(jarPath)) {
      return OwnCode.unknown("the application's jar " + jarPath + " cannot be read");
    }
    try (JarFile jar = new JarFile(jarPath.toFile(), false)) {
      Manifest manifest = jar.getManifest();
      Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
      String startClass = main.getValue("Start-Class");
      for (String prefix : NESTED_CLASSES) {
        JarScan nested = JarScan.of(jar, prefix);
        if (nested.classes() > 0 && (startClass != null || jar.getEntry(prefix) != null)) {
          Set<String> packages = nested.packages();
          if (startClass != null) {
            packages.add(packageOf(startClass.trim()));
          }
          return OwnCode.found(roots(packages), "Spring Boot jar " + jarPath.getFileName() + " (" + prefix.substring(0, prefix.length() - 1) + ")");
        }
      }
      String mainClass = main.getValue("Main-Class");
      return fromOwnJar(jar, mainClass == null ? null : mainClass.trim(), jarPath.getFileName().toString());
    }
  }

  /** The packages of the jar that holds the main class; only those under the main class's root if it bundles other artifacts. */
  private static OwnCode fromOwnJar(JarFile jar, String mainClass, String name) {
    JarScan scan = JarScan.of(jar, "");
    if (mainClass != null && scan.bundlesOtherArtifacts()) {
      String root = packageRoot(packageOf(mainClass));
      Set<String> packages = new TreeSet<>(scan.packages());
      packages.removeIf(pkg -> !within(pkg, root));
      return OwnCode.found(roots(packages), "jar " + name + " (bundles other artifacts: only " + display(root) + ")");
    }
    return OwnCode.found(roots(scan.packages()), "jar " + name);
  }

  private static OwnCode fromClassPath(String mainClass, LaunchFacts facts) throws IOException {
    String mainEntry = mainClass.replace('.', '/') + ".class";
    Set<String> packages = new TreeSet<>();
    List<String> from = new ArrayList<>();
    OwnCode mainJar = null;
    boolean mainFound = false;
    for (String element : facts.classPath().split(File.pathSeparator)) {
      if (element.isBlank()) {
        continue;
      }
      Path path = facts.workingDirectory().resolve(element);
      if (Files.isDirectory(path)) {
        mainFound |= Files.isRegularFile(path.resolve(mainEntry));
        packages.addAll(packagesInDirectory(path));
        from.add(path.getFileName() + "/");
      } else if (!mainFound && Files.isRegularFile(path) && element.endsWith(".jar")) {
        try (JarFile jar = new JarFile(path.toFile(), false)) {
          if (jar.getEntry(mainEntry) != null) {
            mainFound = true;
            mainJar = fromOwnJar(jar, mainClass, path.getFileName().toString());
          }
        }
      }
    }
    if (!mainFound) {
      return OwnCode.unknown("the main class " + mainClass + " was not found on the class path");
    }
    if (mainJar != null) {
      packages.addAll(mainJar.packages());
      from.add(mainJar.from());
    }
    return OwnCode.found(roots(packages), "class path " + String.join(", ", from));
  }

  /** One pass over a jar's entries under a prefix: the packages of its classes, and how many Maven artifacts it holds. */
  private record JarScan(Set<String> packages, int classes, int pomProperties) {
    static JarScan of(JarFile jar, String prefix) {
      Set<String> packages = new TreeSet<>();
      int classes = 0;
      int poms = 0;
      // A plain loop over the entries: this runs before the host's main, and a large jar has thousands.
      // A directory's entries come together, so its package is made once, not once per class.
      String directory = null;
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
          poms++;
        } else if (name.startsWith(prefix) && name.endsWith(".class") && !name.startsWith("META-INF/", prefix.length())
            && !name.endsWith("module-info.class")) {
          classes++;
          int slash = name.lastIndexOf('/');
          if (directory == null || slash != directory.length() || !name.startsWith(directory)) {
            directory = name.substring(0, Math.max(slash, 0));
            packages.add(slash < prefix.length() ? "" : name.substring(prefix.length(), slash).replace('/', '.'));
          }
        }
      }
      return new JarScan(packages, classes, poms);
    }

    boolean bundlesOtherArtifacts() {
      return pomProperties > 1;
    }
  }

  static Set<String> packagesInDirectory(Path directory) throws IOException {
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> files = Files.walk(directory)) {
      files.filter(file -> file.getFileName().toString().endsWith(".class"))
          .map(file -> directory.relativize(file).toString().replace(File.separatorChar, '/'))
          .filter(name -> !name.startsWith("META-INF/") && !name.endsWith("module-info.class"))
          .forEach(name -> packages.add(packageOfPath(name)));
    }
    return packages;
  }

  /** The fewest packages that cover all of these: {@code com.example} covers {@code com.example.web}. */
  static List<String> roots(Set<String> packages) {
    List<String> roots = new ArrayList<>();
    for (String pkg : new TreeSet<>(packages)) { // sorted: a package comes before those below it
      boolean covered = roots.stream().anyMatch(root -> !root.isEmpty() && within(pkg, root));
      boolean memwatch = Stream.of(NEVER_OWN).anyMatch(never -> within(pkg, never));
      if (!covered && !memwatch) {
        roots.add(pkg);
      }
    }
    return roots;
  }

  /** The first two segments of a package ({@code com.example} of {@code com.example.app.web}), as organisations name theirs. */
  static String packageRoot(String pkg) {
    int first = pkg.indexOf('.');
    int second = first < 0 ? -1 : pkg.indexOf('.', first + 1);
    return second < 0 ? pkg : pkg.substring(0, second);
  }

  private static boolean within(String pkg, String root) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }

  private static String packageOfPath(String classFile) {
    int slash = classFile.lastIndexOf('/');
    return slash < 0 ? "" : classFile.substring(0, slash).replace('/', '.');
  }

  private static String packageOf(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? "" : className.substring(0, dot);
  }

  static String display(String pkg) {
    return pkg.isEmpty() ? "(default package)" : pkg;
  }
}
