package io.memwatch.benchmarks.startup;

/**
 * The smallest useful program: prints one line and exits. Its wall time is the JVM's start and stop.
 * {@code -Dhello.holdMs=N} waits N ms first, so that an agent has started all it starts (an
 * endpoint, a sampler) and the exit is measured with them running.
 */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) throws InterruptedException {
    Thread.sleep(Long.getLong("hello.holdMs", 0));
    System.out.println("hello");
  }
}
