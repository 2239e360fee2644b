package io.memwatch.agent;

import io.memwatch.agent.gc.GcNotificationListener;
import io.memwatch.agent.options.Options;
import io.memwatch.collector.Collector;
import io.memwatch.collector.CollectorSettings;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.export.MetricsServer;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.dump.HeapDumper;
import io.memwatch.collector.leak.LeakSettings;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.sites.OldObjects;
import io.memwatch.collector.sites.SiteRegistry;
import io.memwatch.collector.export.Listen;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.Optional;
import java.lang.instrument.Instrumentation;

/**
 * Brings memwatch up in the order that keeps each part safe and useful, and the host's start quick.
 *
 * <p>At JVM start ({@code -javaagent}) the allocation hooks are put in place before the host's
 * {@code main}, so the user's classes are instrumented as they load: nothing has to be retransformed
 * later, which would throw away code the JIT had already compiled and compile it again. That is a
 * plain class-file transformer and a look at the class path; nothing else runs before {@code main}.
 * Attached to a running JVM, it has no choice: loaded classes are retransformed.
 *
 * <p>The rest starts on a daemon thread: the collector's queues, and the hooks armed to report to
 * them (until then, a few milliseconds, they count nothing); the JVM's allocation sampler (its own
 * thread: the Flight Recorder takes about half a second to start); the GC listener, so early
 * collections are seen; the collector before the queues fill (until then a full queue drops and
 * counts); the HTTP endpoint.
 * A part that fails is reported in one line and the rest runs on.
 */
final class AgentStartup {
  private AgentStartup() {}

  static void start(Options options, Instrumentation instrumentation, boolean atJvmStart) {
    SiteRegistry sites = new SiteRegistry();
    InstrumentationCounts counts = new InstrumentationCounts();
    AllocationSources allocations = options.allocations()
        ? new AllocationSources(options, instrumentation, sites, counts) : null;
    boolean instrumentNow = atJvmStart && allocations != null && allocations.hooks();
    if (instrumentNow) {
      allocations.instrument();
    }
    Thread starter = new Thread(() -> {
      try {
        EventQueues queues = new EventQueues();
        OldObjects oldObjects = new OldObjects();
        if (allocations != null) {
          allocations.armHooks(queues);
          allocations.startSampler(queues, oldObjects); // early: the Flight Recorder takes longest to start, on a thread of its own
        }
        startCollector(options, queues, sites, counts, oldObjects);
        if (!instrumentNow && allocations != null && allocations.hooks()) {
          allocations.instrument();
          allocations.armHooks(queues);
        }
      } catch (Throwable t) {
        try {
          Log.warn("memwatch could not finish starting (" + t + "); the application runs on");
        } catch (Throwable heapFull) {
          // even the message needs heap: say nothing rather than throw into the host's log
        }
      }
    }, "memwatch-start");
    starter.setDaemon(true);
    starter.setUncaughtExceptionHandler(Log.SILENT_END);
    starter.start();
  }

  private static void startCollector(Options options, EventQueues queues, SiteRegistry sites, InstrumentationCounts counts,
      OldObjects oldObjects) {
    try {
      GcNotificationListener.install(queues);
      Collector collector = new Collector(queues, sites, counts,
          CollectorSettings.DEFAULTS.withTopSites(options.topSites()).withLeak(leakSettings(options)), oldObjects).start();
      HeapDumper dumper = HeapDumper.inDirectory(options.heapDumpDir(), options.heapDumpMax());
      collector.reportLeaks(options.heapDumpOnLeak() ? dumper : null);
      serve(collector, options, dumper);
    } catch (Throwable t) {
      try {
        Log.warn("could not start the collector (" + t + "); the application runs on without memwatch");
      } catch (Throwable heapFull) {
        // even the message needs heap: say nothing rather than throw into the host's log
      }
    }
  }

  private static LeakSettings leakSettings(Options options) {
    LeakSettings defaults = LeakSettings.defaults();
    if (options.leakWindow().equals(defaults.shortWindow()) && options.slowLeakWindow().equals(defaults.longWindow())) {
      return defaults;
    }
    try {
      return defaults.withWindows(options.leakWindow(), options.slowLeakWindow());
    } catch (IllegalArgumentException e) {
      Log.warn("options 'leakWindow' and 'slowLeakWindow' do not fit together (" + e.getMessage()
          + "); using the defaults " + defaults.shortWindow().toSeconds() + "s and " + defaults.longWindow().toMinutes() + "m");
      return defaults;
    }
  }

  private static void serve(Collector collector, Options options, HeapDumper dumper) {
    Optional<Listen> listen = ListenSettings.of(options, Log::warn);
    if (listen.isEmpty()) {
      return;
    }
    try {
      boolean heapDumps = options.heapDumpEndpoint();
      boolean retainers = options.retainersEndpoint();
      if ((heapDumps || retainers) && options.heapDumpToken().isEmpty()) {
        Log.warn("options 'heapDumpEndpoint' and 'retainersEndpoint' need 'heapDumpToken' (at least 12 characters, best given as "
            + "MEMWATCH_HEAP_DUMP_TOKEN); those endpoints stay off");
        heapDumps = false;
        retainers = false;
      }
      MetricsServer server = collector.serve(listen.get(), heapDumps ? dumper : null, retainers, options.heapDumpToken());
      server.closeAtExit();
      if (heapDumps) {
        Log.info("heap dumps on request: POST /heapdump with the token; files go to " + dumper.directory());
      }
      if (retainers) {
        Log.info("what keeps the sampled live objects on request: POST /retainers with the token");
      }
      if (listen.get().beyondLoopback() && (listen.get().tls() == null || listen.get().basicAuth() == null)) {
        Log.warn("metrics are served beyond loopback on " + options.host() + " without " + exposure(listen.get()));
      }
      Log.info("serving metrics on " + server.metricsUrl() + " and the live page on " + server.pageUrl());
      System.setProperty("io.memwatch.agent.url", server.metricsUrl());
      collector.drain().every(Duration.ofSeconds(2), () -> {
        try {
          if (server.reopenIfClosed()) {
            Log.warn("the metrics endpoint's socket was closed (a thread of it was interrupted); reopened on " + server.metricsUrl());
          }
        } catch (IOException e) {
          Log.warnOnce("reopen-endpoint", "the metrics endpoint's socket was closed and cannot be reopened (" + e + ")");
        }
      });
    } catch (BindException e) {
      Log.warn("cannot serve metrics on " + options.host() + ":" + options.port() + " (" + e.getMessage()
          + "); the port may be in use: set port=N or port=0 for a free one. Metrics stay off; the application runs on");
    } catch (IOException e) {
      Log.warn("cannot serve metrics on " + options.host() + ":" + options.port() + " (" + e.getMessage()
          + "). Metrics stay off; the application runs on");
    }
  }

  // What a listener beyond loopback lacks, and what that lets others do.
  private static String exposure(Listen listen) {
    if (listen.basicAuth() == null) {
      return (listen.tls() == null ? "TLS or basic auth" : "basic auth")
          + ": anyone who reaches the port can read them; see the options tlsKeyStore and basicAuthUser";
    }
    return "TLS: the password and the metrics cross the network in clear; see the option tlsKeyStore";
  }
}
