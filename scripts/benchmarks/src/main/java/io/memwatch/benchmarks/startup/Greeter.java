package io.memwatch.benchmarks.startup;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Hello} with a few allocations of its own, as every real program's own code makes: its
 * start-up includes the hooks' instrumenting of a class with a {@code new} (site, size estimate),
 * which {@code Hello}'s does not. Prints the same line; {@code -Dhello.holdMs=N} as there.
 */
public final class Greeter {
  private Greeter() {}

  public static void main(String[] args) throws InterruptedException {
    Thread.sleep(Long.getLong("hello.holdMs", 0));
    List<String> words = new ArrayList<>();
    words.add("hello");
    StringBuilder line = new StringBuilder();
    for (String word : words) {
      line.append(word);
    }
    System.out.println(line);
  }
}
