package io.memwatch.agent.options;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Parsers for option values; each throws {@link IllegalArgumentException} on a bad value. */
final class ValueParsers {
  private ValueParsers() {}

  /** Compiled when an option that needs one is first given, not for every start (premain runs them interpreted). */
  private static final class Patterns {
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\-\\[\\]]+");
    static final Pattern PACKAGE_GLOB = Pattern.compile("[A-Za-z0-9_$.*]+");
    static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|)", Pattern.CASE_INSENSITIVE);
    static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)i?b?", Pattern.CASE_INSENSITIVE);
  }

  /**
   * The kinds of value an option takes, each with its parser. An enum rather than a method reference
   * at each option: every option is made in {@code premain}, before the host's {@code main}, where
   * each method reference is a class spun at run time (the options' 22 took about 10 ms, cold).
   */
  enum Kind {
    PORT, HOST, BOOL, BYTES, DURATION, POSITIVE_INT, PACKAGE_GLOBS, TOKEN, USER, PATH;

    /** The value of {@code text}; throws {@link IllegalArgumentException} on a bad one. */
    Object parse(String text) {
      return switch (this) {
        case PORT -> port(text);
        case HOST -> host(text);
        case BOOL -> bool(text);
        case BYTES -> bytes(text);
        case DURATION -> duration(text);
        case POSITIVE_INT -> positiveInt(text);
        case PACKAGE_GLOBS -> packageGlobs(text);
        case TOKEN -> token(text);
        case USER -> user(text);
        case PATH -> path(text);
      };
    }
  }

  static int port(String text) {
    int port = Integer.parseInt(text.trim());
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException();
    }
    return port;
  }

  static String host(String text) {
    String host = text.trim();
    if (!Patterns.HOST.matcher(host).matches()) {
      throw new IllegalArgumentException();
    }
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  static boolean bool(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "on": case "1": return true;
      case "false": case "no": case "off": case "0": return false;
      default: throw new IllegalArgumentException();
    }
  }

  /** {@code 512k}, {@code 1m}, {@code 1MiB}, {@code 4096}: bytes, at least 1. */
  static long bytes(String text) {
    var matcher = Patterns.SIZE.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException();
    }
    long value = Long.parseLong(matcher.group(1));
    switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
      case "k": value = Math.multiplyExact(value, 1024L); break;
      case "m": value = Math.multiplyExact(value, 1024L * 1024); break;
      case "g": value = Math.multiplyExact(value, 1024L * 1024 * 1024); break;
      default: break;
    }
    if (value < 1) {
      throw new IllegalArgumentException();
    }
    return value;
  }

  /** A secret the operator chose: long enough not to be guessed, nothing that breaks the option syntax. */
  static String token(String text) {
    String token = text.trim();
    if (token.length() < 12 || !token.chars().allMatch(c -> c > ' ' && c != ',' && c < 127)) {
      throw new IllegalArgumentException();
    }
    return token;
  }

  static String user(String text) {
    String user = text.trim();
    if (user.isEmpty() || !user.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
      throw new IllegalArgumentException();
    }
    return user;
  }

  static String path(String text) {
    String path = text.trim();
    if (path.isEmpty()) {
      throw new IllegalArgumentException();
    }
    return java.nio.file.Path.of(path).toString();
  }

  /** {@code 500ms}, {@code 60s}, {@code 30m}, {@code 2h}; a bare number is seconds. */
  static java.time.Duration duration(String text) {
    var matcher = Patterns.DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException();
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2).toLowerCase(Locale.ROOT);
    java.time.Duration duration = unit.equals("ms") ? java.time.Duration.ofMillis(amount)
        : unit.equals("m") ? java.time.Duration.ofMinutes(amount)
        : unit.equals("h") ? java.time.Duration.ofHours(amount)
        : java.time.Duration.ofSeconds(amount);
    if (duration.isZero()) {
      throw new IllegalArgumentException();
    }
    return duration;
  }

  static int positiveInt(String text) {
    int value = Integer.parseInt(text.trim());
    if (value < 1) {
      throw new IllegalArgumentException();
    }
    return value;
  }

  /** Package globs separated by {@code ;}: {@code com.example.*;org.acme.**}. */
  static List<String> packageGlobs(String text) {
    List<String> globs = new ArrayList<>();
    for (String part : text.split(";")) {
      String glob = part.trim();
      if (glob.isEmpty()) {
        continue;
      }
      if (!Patterns.PACKAGE_GLOB.matcher(glob).matches()) {
        throw new IllegalArgumentException();
      }
      globs.add(glob);
    }
    return List.copyOf(globs);
  }
}
