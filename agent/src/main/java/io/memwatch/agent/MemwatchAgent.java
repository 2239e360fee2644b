package io.memwatch.agent;

import io.memwatch.agent.options.Options;
import io.memwatch.collector.log.Log;
import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent} at start-up ({@link #premain}) and the Attach API
 * on a running JVM ({@link #agentmain}).
 *
 * <p>The host comes first: nothing here throws, and everything slow (Byte Buddy, the collector,
 * its meters, the HTTP server) starts on a daemon thread so the host's own start is not held up.
 * Classes the host loads meanwhile are retransformed once the instrumentation is in place. The
 * HTTP server's dispatcher thread inherits daemon-ness from the thread that creates it, one more
 * reason to create it there.
 */
public final class MemwatchAgent {
  /** A JVM-wide marker, so a second attach (even of another copy of the jar) does nothing. */
  static final String STARTED_MARKER = "io.memwatch.agent.started";

  private MemwatchAgent() {}

  public static void premain(String args, Instrumentation instrumentation) {
    start(args, instrumentation);
  }

  public static void agentmain(String args, Instrumentation instrumentation) {
    start(args, instrumentation);
  }

  private static void start(String args, Instrumentation instrumentation) {
    try {
      if (System.getProperties().putIfAbsent(STARTED_MARKER, "true") != null) {
        Log.warn("already running in this JVM; this attach does nothing");
        return;
      }
      Options options = Options.fromEnvironment(args, Log::warn);
      Log.setDebug(options.debug());
      Log.debug("options: " + options);
      Thread starter = new Thread(() -> AgentStartup.run(options, instrumentation), "memwatch-start");
      starter.setDaemon(true);
      starter.start();
    } catch (Throwable t) {
      Log.warn("could not start (" + t + "); the application runs on without memwatch");
    }
  }
}
