package io.memwatch.agent.options;

import java.util.function.Function;

/**
 * One option: its key, default, how to read a value, and the words that tell a user what is allowed.
 *
 * @param parser turns the text into a value, or throws {@link IllegalArgumentException}
 * @param repeatable whether values from repeated keys (or separated by {@code ;}) are collected
 */
public record Option<T>(
    String key, T defaultValue, Function<String, T> parser, String allowed, boolean repeatable) {

  public static <T> Option<T> single(String key, T defaultValue, Function<String, T> parser, String allowed) {
    return new Option<>(key, defaultValue, parser, allowed, false);
  }

  /** The system property that can also set this option. */
  public String systemProperty() {
    return "memwatch." + key;
  }

  /** The environment variable that can also set this option: {@code sampleBytes} is {@code MEMWATCH_SAMPLE_BYTES}. */
  public String environmentVariable() {
    return "MEMWATCH_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
  }
}
