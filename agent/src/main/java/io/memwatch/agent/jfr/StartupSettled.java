package io.memwatch.agent.jfr;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Waits until the host's start-up looks over: classes have stopped loading in bulk. A service starting
 * up loads thousands of classes a second (a small Spring Boot service some 10,000 in its first
 * seconds), then next to none; a batch program loads its classes in its first second or two. Not a
 * promise that the host is ready, only a cheap sign that the heavy part of its start is behind it.
 */
final class StartupSettled {
  static final Duration EARLIEST = Duration.ofSeconds(1);
  static final Duration LATEST = Duration.ofSeconds(10);
  static final Duration STEP = Duration.ofMillis(250);
  /** Fewer classes loaded in one step than this (100 a second) is settled. */
  static final int SETTLED_PER_STEP = 25;

  private StartupSettled() {}

  /** Blocks until class loading settles, between {@link #EARLIEST} and {@link #LATEST}; returns the ms waited. */
  static long await() throws InterruptedException {
    long start = System.nanoTime();
    Thread.sleep(EARLIEST.toMillis());
    ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
    long loaded = classes.getTotalLoadedClassCount();
    while (System.nanoTime() - start < LATEST.toNanos()) {
      Thread.sleep(STEP.toMillis());
      long now = classes.getTotalLoadedClassCount();
      if (now - loaded < SETTLED_PER_STEP) {
        break;
      }
      loaded = now;
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
