package io.memwatch.benchmarks.startup;

/** The smallest useful program: prints one line and exits. Its wall time is the JVM's start and stop. */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) {
    System.out.println("hello");
  }
}
