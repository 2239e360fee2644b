package io.memwatch.agent.options;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Every option memwatch takes, parsed and checked once, in one place.
 *
 * <p>A value comes from the agent argument ({@code key=value,key=value}), else the system property
 * {@code memwatch.<key>}, else the environment variable {@code MEMWATCH_<KEY>}, else the default.
 * A bad value or an unknown key costs one line naming it and what is allowed, and falls back to
 * the default: a typo must never take the host service down.
 */
public final class Options {
  public static final Option<Integer> PORT =
      Option.single("port", 9404, ValueParsers.Kind.PORT, "a port number from 0 to 65535 (0 picks a free one)");
  public static final Option<String> HOST =
      Option.single("host", "127.0.0.1", ValueParsers.Kind.HOST, "an IP address or host name to bind, e.g. 127.0.0.1 or 0.0.0.0");
  /** Empty means the application's own packages, found at start (see OwnCodeDetector); {@code **} is every class outside the JDK. */
  public static final Option<List<String>> INCLUDE =
      new Option<>("include", List.of(), ValueParsers.Kind.PACKAGE_GLOBS,
          "package globs separated by ';', e.g. com.example.* (** for every class outside the JDK)", true);
  public static final Option<List<String>> EXCLUDE =
      new Option<>("exclude", List.of(), ValueParsers.Kind.PACKAGE_GLOBS, "package globs separated by ';', e.g. com.example.generated.*", true);
  public static final Option<Long> SAMPLE_BYTES =
      Option.single("sampleBytes", 512L * 1024, ValueParsers.Kind.BYTES, "a size in bytes, at least 1, e.g. 524288, 512k or 1m");
  public static final Option<Integer> TOP_SITES =
      Option.single("topSites", 50, ValueParsers.Kind.POSITIVE_INT, "a whole number, at least 1");
  public static final Option<Boolean> ALLOCATIONS =
      Option.single("allocations", true, ValueParsers.Kind.BOOL,
          "true or false (false: no allocation sampling at all, neither hooks nor JFR; memory figures and GC only)");
  public static final Option<Boolean> HOOKS =
      Option.single("hooks", true, ValueParsers.Kind.BOOL, "true or false (false: no bytecode hooks, the JVM's sampler alone)");
  public static final Option<Boolean> JFR =
      Option.single("jfr", true, ValueParsers.Kind.BOOL, "true or false (false: no JFR allocation sampler, the hooks alone)");
  public static final Option<java.time.Duration> LEAK_WINDOW =
      Option.single("leakWindow", java.time.Duration.ofSeconds(60), ValueParsers.Kind.DURATION,
          "a duration of at least 1s, e.g. 60s or 2m: the window in which fast leaks are judged");
  public static final Option<java.time.Duration> SLOW_LEAK_WINDOW =
      Option.single("slowLeakWindow", java.time.Duration.ofMinutes(30), ValueParsers.Kind.DURATION,
          "a duration at least twice leakWindow, e.g. 30m or 2h: the window in which slow leaks are judged");
  public static final Option<Boolean> HEAP_DUMP_ON_LEAK =
      Option.single("heapDumpOnLeak", false, ValueParsers.Kind.BOOL, "true or false");
  public static final Option<Boolean> HEAP_DUMP_ENDPOINT =
      Option.single("heapDumpEndpoint", false, ValueParsers.Kind.BOOL, "true or false (true also needs heapDumpToken)");
  public static final Option<String> HEAP_DUMP_TOKEN =
      Option.single("heapDumpToken", "", ValueParsers.Kind.TOKEN, "at least 12 characters, no commas or spaces");
  public static final Option<Boolean> RETAINERS_ENDPOINT =
      Option.single("retainersEndpoint", false, ValueParsers.Kind.BOOL, "true or false (true also needs heapDumpToken)");
  public static final Option<String> TLS_KEY_STORE =
      Option.single("tlsKeyStore", "", ValueParsers.Kind.PATH, "the path of a PKCS12 key store with the server's certificate and key");
  public static final Option<String> TLS_KEY_STORE_PASSWORD_FILE =
      Option.single("tlsKeyStorePasswordFile", "", ValueParsers.Kind.PATH, "the path of a file that holds the key store's password");
  public static final Option<String> BASIC_AUTH_USER =
      Option.single("basicAuthUser", "", ValueParsers.Kind.USER, "a user name of letters, digits, '.', '_' or '-'");
  public static final Option<String> BASIC_AUTH_PASSWORD_FILE =
      Option.single("basicAuthPasswordFile", "", ValueParsers.Kind.PATH, "the path of a file that holds the password");
  public static final Option<String> HEAP_DUMP_DIR =
      Option.single("heapDumpDir", System.getProperty("java.io.tmpdir") + "/memwatch-dumps", ValueParsers.Kind.PATH,
          "a directory path");
  public static final Option<Integer> HEAP_DUMP_MAX =
      Option.single("heapDumpMax", 3, ValueParsers.Kind.POSITIVE_INT, "a whole number, at least 1");
  public static final Option<Boolean> DEBUG =
      Option.single("debug", false, ValueParsers.Kind.BOOL, "true or false");

  static final List<Option<?>> ALL = List.of(PORT, HOST, TLS_KEY_STORE, TLS_KEY_STORE_PASSWORD_FILE, BASIC_AUTH_USER,
      BASIC_AUTH_PASSWORD_FILE, INCLUDE, EXCLUDE, SAMPLE_BYTES, TOP_SITES, ALLOCATIONS, HOOKS, JFR,
      LEAK_WINDOW, SLOW_LEAK_WINDOW, HEAP_DUMP_ON_LEAK, HEAP_DUMP_ENDPOINT, HEAP_DUMP_TOKEN, RETAINERS_ENDPOINT, HEAP_DUMP_DIR, HEAP_DUMP_MAX, DEBUG);

  private static final int SHOWN_CHARS = 80;

  private final Map<Option<?>, Object> values;
  private final Map<Option<?>, Boolean> given;

  private Options(Map<Option<?>, Object> values, Map<Option<?>, Boolean> given) {
    this.values = values;
    this.given = given;
  }

  public static Options defaults() {
    return parse(null, Map.of(), Map.of(), message -> {});
  }

  public static Options fromEnvironment(String agentArgs, Consumer<String> warn) {
    Map<String, String> properties = new HashMap<>();
    for (Map.Entry<Object, Object> property : System.getProperties().entrySet()) {
      properties.put(String.valueOf(property.getKey()), String.valueOf(property.getValue()));
    }
    return parse(agentArgs, properties, System.getenv(), warn);
  }

  // Runs in premain, before the host's main and in the interpreter: plain loops rather than streams
  // and lambdas on the way of a start without warnings, each lambda a class spun at run time.
  public static Options parse(
      String agentArgs, Map<String, String> properties, Map<String, String> environment, Consumer<String> warn) {
    Map<String, List<String>> fromArgs = splitAgentArgs(agentArgs, warn);
    warnAboutUnknownSettings(properties, environment, warn);
    // By identity: a record's own hashCode is bootstrapped on first use, some 15 ms before the host's main.
    Map<Option<?>, Object> values = new IdentityHashMap<>();
    Map<Option<?>, Boolean> given = new IdentityHashMap<>();
    for (Option<?> option : ALL) {
      List<String> texts = fromArgs.get(option.key());
      String source = "agent argument";
      if (texts == null && properties.containsKey(option.systemProperty())) {
        texts = List.of(properties.get(option.systemProperty()));
        source = "system property " + option.systemProperty();
      } else if (texts == null && environment.containsKey(option.environmentVariable())) {
        texts = List.of(environment.get(option.environmentVariable()));
        source = "environment variable " + option.environmentVariable();
      }
      values.put(option, texts == null ? option.defaultValue() : read(option, texts, source, warn));
      if (texts != null) {
        given.put(option, true);
      }
    }
    return new Options(values, given);
  }

  /** Whether the option was given at all, even with a value that was refused (and so fell back to its default). */
  public boolean given(Option<?> option) {
    return given.containsKey(option);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Option<T> option) {
    return (T) values.get(option);
  }

  public int port() {
    return get(PORT);
  }

  public String host() {
    return get(HOST);
  }

  public List<String> include() {
    return get(INCLUDE);
  }

  public List<String> exclude() {
    return get(EXCLUDE);
  }

  public long sampleBytes() {
    return get(SAMPLE_BYTES);
  }

  public int topSites() {
    return get(TOP_SITES);
  }

  public boolean allocations() {
    return get(ALLOCATIONS);
  }

  /** Whether the bytecode hooks run: {@code allocations} and {@code hooks} both on. */
  public boolean hooks() {
    return get(ALLOCATIONS) && get(HOOKS);
  }

  /** Whether the JVM's allocation sampler (JFR) runs: {@code allocations} and {@code jfr} both on. */
  public boolean jfr() {
    return get(ALLOCATIONS) && get(JFR);
  }

  public java.time.Duration leakWindow() {
    return get(LEAK_WINDOW);
  }

  public java.time.Duration slowLeakWindow() {
    return get(SLOW_LEAK_WINDOW);
  }

  public boolean heapDumpOnLeak() {
    return get(HEAP_DUMP_ON_LEAK);
  }

  public boolean heapDumpEndpoint() {
    return get(HEAP_DUMP_ENDPOINT);
  }

  /** The key store's path, empty for plain HTTP. */
  public String tlsKeyStore() {
    return get(TLS_KEY_STORE);
  }

  public String tlsKeyStorePasswordFile() {
    return get(TLS_KEY_STORE_PASSWORD_FILE);
  }

  /** The user {@code /metrics} asks for, empty for none. */
  public String basicAuthUser() {
    return get(BASIC_AUTH_USER);
  }

  public String basicAuthPasswordFile() {
    return get(BASIC_AUTH_PASSWORD_FILE);
  }

  public boolean retainersEndpoint() {
    return get(RETAINERS_ENDPOINT);
  }

  public String heapDumpToken() {
    return get(HEAP_DUMP_TOKEN);
  }

  public java.nio.file.Path heapDumpDir() {
    return java.nio.file.Path.of(get(HEAP_DUMP_DIR));
  }

  public int heapDumpMax() {
    return get(HEAP_DUMP_MAX);
  }

  public boolean debug() {
    return get(DEBUG);
  }

  @Override
  public String toString() {
    return ALL.stream()
        .map(o -> o.key() + "=" + (o == HEAP_DUMP_TOKEN && !get(HEAP_DUMP_TOKEN).isEmpty() ? "(set)" : values.get(o)))
        .collect(Collectors.joining(", "));
  }

  private static <T> Object read(Option<T> option, List<String> texts, String source, Consumer<String> warn) {
    List<Object> collected = new ArrayList<>();
    for (String text : texts) {
      try {
        T value = option.parse(text);
        if (!option.repeatable()) {
          return value;
        }
        collected.addAll((List<?>) value);
      } catch (RuntimeException e) {
        String shown = option == HEAP_DUMP_TOKEN ? "(hidden)" : printable(text); // never echo a secret into logs
        warn.accept(
            "option '" + option.key() + "' (" + source + ") has a bad value '" + shown + "': expected "
                + option.allowed() + "; using the default " + describe(option.defaultValue()));
        return option.defaultValue();
      }
    }
    return List.copyOf(collected);
  }

  private static Map<String, List<String>> splitAgentArgs(String agentArgs, Consumer<String> warn) {
    Map<String, List<String>> byKey = new HashMap<>();
    if (agentArgs == null || agentArgs.isBlank()) {
      return byKey;
    }
    for (String pair : agentArgs.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = (equals < 0 ? pair : pair.substring(0, equals)).trim();
      Option<?> option = find(key);
      if (option == null) {
        warn.accept("unknown option '" + printable(key) + "' ignored; known options: " + knownKeys());
      } else if (equals < 0) {
        warn.accept("option '" + key + "' has no value: write " + key + "=VALUE, VALUE being " + option.allowed());
      } else {
        List<String> texts = byKey.get(key);
        if (texts == null || !option.repeatable()) {
          texts = new ArrayList<>(); // the last one given wins, as on a command line
          byKey.put(key, texts);
        }
        texts.add(pair.substring(equals + 1));
      }
    }
    return byKey;
  }

  private static void warnAboutUnknownSettings(
      Map<String, String> properties, Map<String, String> environment, Consumer<String> warn) {
    for (String name : properties.keySet()) {
      if (name.startsWith("memwatch.") && ALL.stream().noneMatch(o -> o.systemProperty().equals(name))) {
        warn.accept("unknown system property '" + printable(name) + "' ignored; known options: " + knownKeys());
      }
    }
    for (String name : environment.keySet()) {
      if (name.startsWith("MEMWATCH_") && ALL.stream().noneMatch(o -> o.environmentVariable().equals(name))) {
        warn.accept("unknown environment variable '" + printable(name) + "' ignored; known options: " + knownKeys());
      }
    }
  }

  /**
   * What the user wrote, as it can be shown in one line: control characters escaped (a newline in an
   * argument must not start a line of its own in the host's log), and at most {@link #SHOWN_CHARS}.
   */
  static String printable(String text) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < text.length() && shown.length() < SHOWN_CHARS; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        shown.append("\\n");
      } else if (c == '\t') {
        shown.append("\\t");
      } else if (Character.isISOControl(c)) {
        shown.append(String.format("\\u%04x", (int) c));
      } else {
        shown.append(c);
      }
    }
    return shown.length() < SHOWN_CHARS || text.length() <= SHOWN_CHARS ? shown.toString() : shown + "...";
  }

  private static Option<?> find(String key) {
    for (Option<?> option : ALL) {
      if (option.key().equals(key)) {
        return option;
      }
    }
    return null;
  }

  private static String knownKeys() {
    return ALL.stream().map(Option::key).collect(Collectors.joining(", "));
  }

  private static String describe(Object value) {
    return value instanceof List<?> list && list.isEmpty() ? "(none)" : String.valueOf(value);
  }
}
