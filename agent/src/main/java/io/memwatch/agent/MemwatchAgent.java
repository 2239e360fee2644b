package io.memwatch.agent;

import io.memwatch.agent.gc.GcNotificationListener;
import io.memwatch.agent.options.Options;
import io.memwatch.collector.Collector;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.export.MetricsServer;
import io.memwatch.collector.log.Log;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.time.Duration;

/**
 * The agent's entry points: {@code -javaagent} at start-up ({@link #premain}) and the Attach API
 * on a running JVM ({@link #agentmain}).
 *
 * <p>The host comes first: nothing here throws, and everything slow (the collector, its meters,
 * the HTTP server) starts on a daemon thread so the host's own start is not held up. The HTTP
 * server's dispatcher thread inherits daemon-ness from the thread that creates it, which is one
 * more reason to create it there.
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
      Thread starter = new Thread(() -> startCollector(options), "memwatch-start");
      starter.setDaemon(true);
      starter.start();
    } catch (Throwable t) {
      Log.warn("could not start (" + t + "); the application runs on without memwatch");
    }
  }

  private static void startCollector(Options options) {
    try {
      EventQueues queues = new EventQueues();
      GcNotificationListener.install(queues);
      Collector collector = new Collector(queues, Duration.ofSeconds(1)).start();
      serve(collector, options);
    } catch (Throwable t) {
      Log.warn("could not start the collector (" + t + "); the application runs on without memwatch");
    }
  }

  private static void serve(Collector collector, Options options) {
    try {
      MetricsServer server = collector.serve(options.host(), options.port());
      Log.info("serving metrics on " + server.metricsUrl());
    } catch (IOException e) {
      Log.warn("cannot serve metrics on " + options.host() + ":" + options.port() + " (" + e.getMessage()
          + "); the port may be in use: set port=N or port=0 for a free one. Metrics stay off; the application runs on");
    }
  }
}
