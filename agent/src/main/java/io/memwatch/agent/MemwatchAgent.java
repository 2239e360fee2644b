package io.memwatch.agent;

import io.memwatch.agent.options.Options;
import io.memwatch.collector.log.Log;
import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent} at start-up ({@link #premain}) and the Attach API
 * on a running JVM ({@link #agentmain}).
 *
 * <p>The host comes first: nothing here throws. The collector, its meters and the HTTP server
 * start on a daemon thread so the host's own start is not held up by them (the HTTP server's
 * dispatcher thread inherits daemon-ness from the thread that creates it, one more reason to
 * create it there); see {@link AgentStartup} for what runs before the host's {@code main}.
 */
public final class MemwatchAgent {
  /** A JVM-wide marker, so a second attach (even of another copy of the jar) does nothing. */
  static final String STARTED_MARKER = "io.memwatch.agent.started";

  private MemwatchAgent() {}

  public static void premain(String args, Instrumentation instrumentation) {
    start(args, instrumentation, true);
  }

  public static void agentmain(String args, Instrumentation instrumentation) {
    start(args, instrumentation, false);
  }

  private static void start(String args, Instrumentation instrumentation, boolean atJvmStart) {
    long start = System.nanoTime();
    try {
      if (System.getProperties().putIfAbsent(STARTED_MARKER, "true") != null) {
        Log.warn("already running in this JVM; this attach does nothing");
        return;
      }
      Options options = Options.fromEnvironment(args, Log::warn);
      Log.setDebug(options.debug());
      if (Log.debugging()) {
        Log.debug("options: " + options + " (read in " + (System.nanoTime() - start) / 1_000_000 + " ms)");
      }
      AgentStartup.start(options, instrumentation, atJvmStart);
      Log.debug((atJvmStart ? "premain" : "agentmain") + " returns after " + (System.nanoTime() - start) / 1_000_000 + " ms");
    } catch (Throwable t) {
      Log.warn("could not start (" + t + "); the application runs on without memwatch");
    }
  }
}
