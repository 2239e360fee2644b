package io.memwatch.agent.jfr;

import io.memwatch.agent.owncode.UserCode;
import java.util.List;

/**
 * Names what keeps a sampled object, from its path to a GC root: the link a person would change to
 * let it go. Going from the root towards the object, the first field of the user's own code, static
 * ({@code example.Audit.SEEN}) or not ({@code example.OrderCache.entries}), that holds something
 * other than the user's own objects (a collection, a map, an array: past {@code Bus.INSTANCE} to
 * {@code Bus.listeners}); else the first static field of any class; else the field nearest the
 * root; with the type it holds ({@code example.Audit.SEEN (java.util.HashMap)}). The links below it (a map's table, its nodes) are how
 * that holder stores things, the same for every leak through it; the links above it are the
 * framework's or the JDK's way to the root.
 */
final class RetainerName {
  /**
   * One object on the path, the sampled object first.
   *
   * @param type its class
   * @param className for a {@code java.lang.Class} object, the class it stands for (its static
   *     fields are its fields); null otherwise
   * @param field the field of the next object up that refers to this one; null where an array does
   *     or at the top of the path
   */
  record Link(String type, String className, String field) {}

  private final UserCode userCode;

  RetainerName(UserCode userCode) {
    this.userCode = userCode;
  }

  /**
   * The retainer of the path {@code links} (the sampled object first); null if no link names a field,
   * or if the path runs through memwatch's own objects.
   */
  String of(List<Link> links) {
    for (Link link : links) {
      // memwatch's own tables are not the application's leak, whatever they hold.
      if (UserCode.isMemwatch(link.type()) || link.className() != null && UserCode.isMemwatch(link.className())) {
        return null;
      }
    }
    String ownHolder = null;
    String firstStatic = null;
    String nearestRoot = null;
    for (int i = links.size() - 1; i >= 1; i--) {
      Link holder = links.get(i);
      Link held = links.get(i - 1);
      if (held.field() == null) {
        continue;
      }
      String owner = holder.className() != null ? holder.className() : holder.type();
      String name = owner + "." + held.field() + " (" + readable(held.type()) + ")";
      if (isOwn(owner)) {
        // A field that holds another of the user's objects (a singleton, a holder) is the way to the
        // retainer; one that holds a collection, a map or an array is the retainer.
        if (!isOwn(held.type())) {
          return name;
        }
        ownHolder = name;
      }
      if (holder.className() != null && firstStatic == null) {
        firstStatic = name;
      }
      if (nearestRoot == null) {
        nearestRoot = name;
      }
    }
    return ownHolder != null ? ownHolder : firstStatic != null ? firstStatic : nearestRoot;
  }

  /**
   * Whether a path from a thread's stack shows a JDK method at work rather than what keeps the
   * object: the stack holds a JDK structure's innards (a map's table, a list's array, a node), not a
   * structure or an object of the user's. A put that is resizing a map holds its table in a local,
   * and that path, shorter than the one from the static field that keeps the map, is the one the
   * search finds; named, it would be {@code ConcurrentHashMap$Node.val}.
   */
  static boolean jdkAtWork(List<Link> links) {
    if (links.size() < 2) {
      return false;
    }
    String top = readable(links.get(links.size() - 1).type());
    int array = top.indexOf('[');
    return array >= 0 ? UserCode.isJdk(top.substring(0, array)) : UserCode.isJdk(top) && top.contains("$");
  }

  // The Flight Recorder names array classes as the JVM does: [B, [Ljava.lang.Object;.
  static String readable(String type) {
    int dimensions = 0;
    while (dimensions < type.length() && type.charAt(dimensions) == '[') {
      dimensions++;
    }
    if (dimensions == 0) {
      return type;
    }
    String element = type.substring(dimensions);
    String name = switch (element) {
      case "B" -> "byte";
      case "C" -> "char";
      case "S" -> "short";
      case "I" -> "int";
      case "J" -> "long";
      case "F" -> "float";
      case "D" -> "double";
      case "Z" -> "boolean";
      default -> element.startsWith("L") && element.endsWith(";") ? element.substring(1, element.length() - 1) : element;
    };
    return name + "[]".repeat(dimensions);
  }

  private boolean isOwn(String type) {
    if (UserCode.isJdk(type) || UserCode.isMemwatch(type)) {
      return false;
    }
    return userCode.isEmpty() || userCode.contains(type);
  }
}
