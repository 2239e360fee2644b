package io.memwatch.agent.options;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private final List<String> warnings = new ArrayList<>();

  private Options parse(String args, Map<String, String> properties, Map<String, String> env) {
    return Options.parse(args, properties, env, warnings::add);
  }

  @Test
  void defaultsAreSecure() {
    Options options = parse(null, Map.of(), Map.of());
    assertThat(options.port()).isEqualTo(9404);
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.include()).isEmpty();
    assertThat(options.debug()).isFalse();
    assertThat(warnings).isEmpty();
  }

  @Test
  void agentArgumentBeatsSystemPropertyBeatsEnvironment() {
    Options options = parse("port=1234",
        Map.of("memwatch.port", "2345", "memwatch.host", "0.0.0.0"),
        Map.of("MEMWATCH_PORT", "3456", "MEMWATCH_HOST", "10.0.0.1", "MEMWATCH_DEBUG", "true"));

    assertThat(options.port()).isEqualTo(1234);
    assertThat(options.host()).isEqualTo("0.0.0.0");
    assertThat(options.debug()).isTrue();
    assertThat(warnings).isEmpty();
  }

  @Test
  void badValueIsOneLineNamingTheKeyAndFallsBackToTheDefault() {
    Options options = parse("port=banana", Map.of(), Map.of());

    assertThat(options.port()).isEqualTo(9404);
    assertThat(warnings).singleElement().asString()
        .contains("'port'").contains("banana").contains("0 to 65535").contains("9404")
        .doesNotContain("\n");
  }

  @Test
  void aNegativeSampleSizeAndAnEmptyLeakWindowAreRefusedWithTheirDefaultsKept() {
    Options options = parse("sampleBytes=-1,leakWindow=0s", Map.of(), Map.of());

    assertThat(options.sampleBytes()).isEqualTo(512 * 1024);
    assertThat(options.leakWindow()).isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(warnings).hasSize(2).allSatisfy(line -> assertThat(line.toString()).contains("using the default"));
  }

  @Test
  void outOfRangePortIsBad() {
    assertThat(parse("port=70000", Map.of(), Map.of()).port()).isEqualTo(9404);
    assertThat(warnings).hasSize(1);
  }

  @Test
  void unknownKeyIsNamedAndTheRestStillApplies() {
    Options options = parse("prot=1234,port=0", Map.of(), Map.of());

    assertThat(options.port()).isZero();
    assertThat(warnings).singleElement().asString().contains("'prot'").contains("port, host");
  }

  @Test
  void unknownSystemPropertyAndEnvironmentVariableAreNamed() {
    parse(null, Map.of("memwatch.prot", "1"), Map.of("MEMWATCH_PROT", "1"));

    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("memwatch.prot");
    assertThat(warnings.get(1)).contains("MEMWATCH_PROT");
  }

  @Test
  void keyWithoutValueIsNamed() {
    parse("debug", Map.of(), Map.of());
    assertThat(warnings).singleElement().asString().contains("'debug'").contains("debug=VALUE");
  }

  @Test
  void globsCanBeRepeatedOrSeparatedBySemicolons() {
    Options options = parse("include=com.example.*;org.acme.**,include=net.shop,exclude=com.example.gen.*",
        Map.of(), Map.of());

    assertThat(options.include()).containsExactly("com.example.*", "org.acme.**", "net.shop");
    assertThat(options.exclude()).containsExactly("com.example.gen.*");
  }

  @Test
  void badGlobIsRefused() {
    Options options = parse("include=com/example", Map.of(), Map.of());
    assertThat(options.include()).isEmpty();
    assertThat(warnings).singleElement().asString().contains("'include'");
  }

  @Test
  void aBadTokenIsRefusedWithoutEchoingIt() {
    Options options = parse("heapDumpToken=short", Map.of(), Map.of());
    assertThat(options.heapDumpToken()).isEmpty();
    assertThat(warnings).singleElement().asString().contains("'heapDumpToken'").doesNotContain("short");
    assertThat(parse(null, Map.of(), Map.of("MEMWATCH_HEAP_DUMP_TOKEN", "a-long-enough-secret")).toString())
        .doesNotContain("a-long-enough-secret");
  }

  @Test
  void heapDumpsAreOffByDefault() {
    Options options = parse(null, Map.of(), Map.of());
    assertThat(options.heapDumpOnLeak()).isFalse();
    assertThat(options.heapDumpEndpoint()).isFalse();
  }

  @Test
  void environmentVariableNamesSplitCamelCase() {
    assertThat(Option.single("sampleBytes", 1L, ValueParsers.Kind.BYTES, "").environmentVariable())
        .isEqualTo("MEMWATCH_SAMPLE_BYTES");
    assertThat(Options.TLS_KEY_STORE_PASSWORD_FILE.environmentVariable()).isEqualTo("MEMWATCH_TLS_KEY_STORE_PASSWORD_FILE");
    assertThat(Options.PORT.environmentVariable()).isEqualTo("MEMWATCH_PORT");
  }

  @Test
  void sizesAcceptUnits() {
    assertThat(ValueParsers.bytes("512k")).isEqualTo(512 * 1024);
    assertThat(ValueParsers.bytes("1MiB")).isEqualTo(1 << 20);
    assertThat(ValueParsers.bytes("4096")).isEqualTo(4096);
  }

  @Test
  void bothAllocationSourcesRunByDefaultAndAllocationsFalseTurnsBothOff() {
    Options defaults = parse(null, Map.of(), Map.of());
    assertThat(defaults.hooks()).isTrue();
    assertThat(defaults.jfr()).isTrue();

    Options none = parse("allocations=false", Map.of(), Map.of());
    assertThat(none.hooks()).isFalse();
    assertThat(none.jfr()).isFalse();

    Options samplerOnly = parse("hooks=false", Map.of(), Map.of());
    assertThat(samplerOnly.hooks()).isFalse();
    assertThat(samplerOnly.jfr()).isTrue();
    Options hooksOnly = parse(null, Map.of("memwatch.jfr", "false"), Map.of());
    assertThat(hooksOnly.hooks()).isTrue();
    assertThat(hooksOnly.jfr()).isFalse();
    assertThat(warnings).isEmpty();
  }

  /**
   * Fuzzed agent arguments: keys and values drawn from the real ones, broken ones and random bytes.
   * Parsing never throws, each complaint is one line that starts by naming an option or the argument,
   * and every option keeps a usable value.
   */
  @Test
  void fuzzedArgumentsNeverThrowAndEachComplaintIsOneLine() {
    java.util.Random random = new java.util.Random(20261205);
    List<String> keys = new ArrayList<>();
    Options.ALL.forEach(option -> keys.add(option.key()));
    keys.addAll(List.of("", "PORT", "port ", "x", "=", "memwatch.port", "include;exclude"));
    List<String> values = List.of("", "0", "-1", "65536", "99999999999999999999", "true", "TRUE", "yes", "1m", "0s", "-5s",
        "1e9", "NaN", "0.0.0.0", "::1", "[::1]", "com.example.*", "**", "a;b;;c", "/tmp", "\u0000", "\t", "é", "a=b",
        "512k", "1g", "9999g", "short", "a-token-of-enough-length");
    String alphabet = "abc=,;*. \t\n\u0000é/:-_0123456789";
    for (int round = 0; round < 2000; round++) {
      StringBuilder args = new StringBuilder();
      int parts = random.nextInt(6);
      for (int part = 0; part < parts; part++) {
        if (part > 0) {
          args.append(random.nextInt(10) == 0 ? ",," : ",");
        }
        if (random.nextInt(8) == 0) {
          for (int c = random.nextInt(12); c > 0; c--) {
            args.append(alphabet.charAt(random.nextInt(alphabet.length())));
          }
        } else {
          args.append(keys.get(random.nextInt(keys.size())));
          if (random.nextInt(10) != 0) {
            args.append('=').append(values.get(random.nextInt(values.size())));
          }
        }
      }
      warnings.clear();
      Options options = parse(args.toString(), Map.of(), Map.of());
      for (Option<?> option : Options.ALL) {
        assertThat((Object) options.get(option)).as("%s after %s", option.key(), args).isNotNull();
      }
      assertThat(options.port()).as("%s", args).isBetween(0, 65535);
      assertThat(warnings).as("complaints about %s", args).allSatisfy(line -> {
        assertThat(line).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u0000");
        assertThat(line.length()).isLessThan(700);
      });
      assertThat(warnings.size()).as("at most one complaint per part of %s", args)
          .isLessThanOrEqualTo(args.toString().split(",", -1).length);
    }
  }

  @Test
  void everyOptionsKindParsesValuesOfItsDefaultsType() {
    Map<ValueParsers.Kind, String> samples = Map.of(ValueParsers.Kind.PORT, "0", ValueParsers.Kind.HOST, "127.0.0.1",
        ValueParsers.Kind.BOOL, "true", ValueParsers.Kind.BYTES, "1k", ValueParsers.Kind.DURATION, "5s",
        ValueParsers.Kind.POSITIVE_INT, "3", ValueParsers.Kind.PACKAGE_GLOBS, "com.example.*",
        ValueParsers.Kind.TOKEN, "abcdefghijklmn", ValueParsers.Kind.USER, "scraper", ValueParsers.Kind.PATH, "/tmp/x");
    assertThat(samples.keySet()).containsExactlyInAnyOrder(ValueParsers.Kind.values());
    for (Option<?> option : Options.ALL) {
      Class<?> type = option.defaultValue() instanceof List ? List.class : option.defaultValue().getClass();
      assertThat(option.parse(samples.get(option.kind()))).as(option.key()).isInstanceOf(type);
    }
  }
}
