package io.memwatch.agent.options;

/**
 * One option: its key, default, how to read a value, and the words that tell a user what is allowed.
 *
 * @param kind the kind of value, whose parser turns the text into one or throws {@link IllegalArgumentException}
 * @param repeatable whether values from repeated keys (or separated by {@code ;}) are collected
 */
public record Option<T>(
    String key, T defaultValue, ValueParsers.Kind kind, String allowed, boolean repeatable) {

  static <T> Option<T> single(String key, T defaultValue, ValueParsers.Kind kind, String allowed) {
    return new Option<>(key, defaultValue, kind, allowed, false);
  }

  /** The value of {@code text}, of this option's type (its kind's parser makes one); throws {@link IllegalArgumentException} on a bad one. */
  @SuppressWarnings("unchecked")
  T parse(String text) {
    return (T) kind.parse(text);
  }

  /** The system property that can also set this option. */
  public String systemProperty() {
    return "memwatch." + key;
  }

  /** The environment variable that can also set this option: {@code sampleBytes} is {@code MEMWATCH_SAMPLE_BYTES}. */
  public String environmentVariable() {
    // A plain loop, not a regular expression: this runs for every option in premain.
    StringBuilder name = new StringBuilder("MEMWATCH_");
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(key.charAt(i - 1))) {
        name.append('_');
      }
      name.append(Character.toUpperCase(c));
    }
    return name.toString();
  }
}
