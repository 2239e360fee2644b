package io.memwatch.agent.jfr;

/** The JVM's names of classes as Java writes them: {@code [B} is {@code byte[]}, {@code [Ljava.lang.String;} is {@code java.lang.String[]}. */
final class JavaTypeNames {
  private JavaTypeNames() {}

  static String of(String jvmName) {
    int lambda = jvmName.indexOf("$$Lambda");
    if (lambda >= 0) {
      // A lambda's hidden class: Foo$$Lambda$268+0x00007ff6c00e8c50, a new name in every run. One label for all.
      return jvmName.substring(0, lambda + "$$Lambda".length());
    }
    int dimensions = 0;
    while (dimensions < jvmName.length() && jvmName.charAt(dimensions) == '[') {
      dimensions++;
    }
    if (dimensions == 0) {
      return jvmName;
    }
    String element = element(jvmName.substring(dimensions));
    return element + "[]".repeat(dimensions);
  }

  private static String element(String descriptor) {
    switch (descriptor.charAt(0)) {
      case 'B': return "byte";
      case 'C': return "char";
      case 'D': return "double";
      case 'F': return "float";
      case 'I': return "int";
      case 'J': return "long";
      case 'S': return "short";
      case 'Z': return "boolean";
      case 'L': return descriptor.substring(1, descriptor.length() - (descriptor.endsWith(";") ? 1 : 0)).replace('/', '.');
      default: return descriptor;
    }
  }
}
