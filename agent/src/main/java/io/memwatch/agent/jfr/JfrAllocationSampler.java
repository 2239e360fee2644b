package io.memwatch.agent.jfr;

import io.memwatch.agent.instrument.HookedClasses;
import io.memwatch.agent.owncode.UserCode;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.sites.OldObjects;
import io.memwatch.collector.sites.SiteRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import jdk.jfr.consumer.RecordingStream;

/**
 * Reads the JVM's Flight Recorder in this process: one {@link RecordingStream} with the handlers'
 * events, on a daemon thread of memwatch's own.
 *
 * <p>Why so: creating the stream initialises the Flight Recorder, about half a second of work
 * that must not delay the host's {@code main}; and {@code startAsync()}'s thread is not a daemon on
 * Java 17, so it would keep the host's JVM alive after {@code main} returns. The blocking
 * {@code start()} on a daemon thread does neither.
 *
 * <p>It starts once the host's own start-up is over, judged by class loading settling ({@link
 * StartupSettled}): at least a second after the agent, at most {@link StartupSettled#LATEST} later.
 * Setting up the Flight Recorder costs about half a second to a second of CPU, which would otherwise
 * compete with the host's start-up (a Spring Boot service's, say) on a small machine; a program that
 * is done within a second (a command-line tool run with {@code JAVA_TOOL_OPTIONS}) pays nothing for
 * it at all. Allocations made before are still counted, when it starts, under a site of their own
 * ({@link ThreadsBeforeStart}). A JVM that starts exiting while the Flight Recorder is
 * being set up would leave its empty repository directory behind (its own shutdown hook cannot be
 * registered any more): that directory is removed here.
 *
 * <p>The host's own recordings are left alone: this stream only turns events on (the JVM merges
 * every recording's settings, so theirs keep all they asked for) and never stops, dumps or deletes
 * anything but itself. The stream's data goes through the JVM's repository on disk, like every
 * recording's; {@link #MAX_AGE} and {@link #MAX_SIZE} let the JVM delete what it has read, and the
 * JVM removes the repository when it exits.
 */
public final class JfrAllocationSampler implements AutoCloseable {
  static final String THREAD_NAME = "memwatch-jfr";
  static final Duration MAX_AGE = Duration.ofSeconds(30);
  static final long MAX_SIZE = 8L << 20;
  // The longest the JVM's exit waits for the Flight Recorder's set-up under way (it takes 0.3 to 1 s).
  static final Duration EXIT_WAITS_FOR_SET_UP_AT_MOST = Duration.ofSeconds(2);

  private final List<RecordedEventHandler> handlers;
  private final Supplier<OldObjectRecording> oldObjectRecording;
  private final OldObjects oldObjects;
  private final Thread thread;
  private volatile RecordingStream stream;
  private volatile boolean closed;
  private volatile boolean exiting;
  private volatile boolean settingUp;
  private final CountDownLatch setUp = new CountDownLatch(1);

  private JfrAllocationSampler(List<RecordedEventHandler> handlers, Supplier<OldObjectRecording> oldObjectRecording,
      OldObjects oldObjects, Runnable onFailure) {
    this.handlers = handlers;
    this.oldObjectRecording = oldObjectRecording;
    this.oldObjects = oldObjects;
    this.thread = new Thread(() -> run(onFailure), THREAD_NAME);
    this.thread.setDaemon(true);
    this.thread.setUncaughtExceptionHandler(Log.SILENT_END);
  }

  /**
   * Starts sampling allocations into {@code queues}, and the JVM's leak profiler, which it plugs
   * into {@code oldObjects}; call only where {@link JfrSupport#present()}. {@code onFailure} runs,
   * on the sampler's thread, if the Flight Recorder cannot start.
   */
  public static JfrAllocationSampler start(EventQueues queues, SiteRegistry sites, UserCode userCode,
      HookedClasses hooked, OldObjects oldObjects, Runnable onFailure) {
    SiteResolver resolver = new SiteResolver(userCode, hooked, sites);
    JfrAllocationSampler sampler = new JfrAllocationSampler(
        List.of(new AllocationSampleHandler(resolver, queues, new ThreadsBeforeStart()), new MarkingHandler(queues)),
        () -> OldObjectRecording.start(new SiteResolver(userCode, hooked, sites), sites, new RetainerName(userCode)),
        oldObjects, onFailure);
    sampler.thread.start();
    return sampler;
  }

  private void run(Runnable onFailure) {
    if (!waitForStartDelay()) {
      return;
    }
    long start = System.nanoTime();
    settingUp = true;
    if (exiting) {
      setUp.countDown();
      return;
    }
    try (RecordingStream recording = new RecordingStream()) {
      stream = recording;
      if (exiting) {
        recording.close();
        removeEmptyRepository();
        return;
      }
      recording.setReuse(true); // events are read and dropped at once: let the parser reuse its objects
      recording.setOrdered(false); // the collector orders nothing by time: skip the sorting
      recording.setMaxAge(MAX_AGE);
      recording.setMaxSize(MAX_SIZE);
      for (RecordedEventHandler handler : handlers) {
        handler.enableOn(recording);
        recording.onEvent(handler.eventName(), event -> {
          try {
            handler.accept(event);
          } catch (RuntimeException e) {
            Log.warnOnce("jfr-handler-" + handler.eventName(), "reading " + handler.eventName() + " failed once (" + e + "); it carries on");
          }
        });
      }
      recording.onError(error -> Log.debug("the allocation sampler's stream reported", error));
      startOldObjects();
      if (closed || exiting) {
        return;
      }
      Log.debug("the JVM's allocation sampler (JFR) is set up after " + (System.nanoTime() - start) / 1_000_000 + " ms");
      handlers.forEach(RecordedEventHandler::starting);
      oldObjects.samplerStarted(io.memwatch.collector.events.JvmClock.uptimeMillis());
      setUp.countDown();
      recording.start();
    } catch (Throwable t) {
      if (!closed) {
        Log.debug("the JVM's allocation sampler failed", t);
        onFailure.run();
      }
    } finally {
      setUp.countDown();
      handlers.forEach(RecordedEventHandler::close);
    }
  }

  // The JVM's exit must not overtake the Flight Recorder's set-up: once the exit's hooks have run,
  // JVMTI leaves its live phase, and a set-up still under way prints three error lines into the host's
  // output ("An attempt was made to start JFR too early ..."; once in eight runs of a test whose
  // program exits two seconds in). So the exit waits for a set-up under way, briefly.
  private void exitAfterSetUp() {
    exiting = true;
    if (settingUp) {
      try {
        setUp.await(EXIT_WAITS_FOR_SET_UP_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // The leak profiler only picks objects while a recording asks for them; the collector starts it
  // once the live set grows. Without it, sites no hook follows have no live bytes; the rest works on.
  private void startOldObjects() {
    oldObjects.offer(oldObjectRecording);
  }

  /** False when the JVM began to exit meanwhile (or the sampler was closed): then nothing is started. */
  private boolean waitForStartDelay() {
    try {
      long waited = StartupSettled.await();
      Log.debug("the host's start-up looks over after " + waited + " ms: starting the JVM's allocation sampler");
      Runtime.getRuntime().addShutdownHook(new Thread(this::exitAfterSetUp, "memwatch-jfr-exit"));
      return !closed;
    } catch (InterruptedException | IllegalStateException e) {
      return false; // IllegalStateException: the JVM is exiting already
    }
  }

  /** The repository the Flight Recorder made for this JVM, if it is empty: JFR's own hook was too late to clean it. */
  private static void removeEmptyRepository() {
    String repository = System.getProperty("jdk.jfr.repository");
    if (repository != null) {
      try {
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(repository)); // fails, harmlessly, if not empty
      } catch (java.io.IOException | RuntimeException e) {
        Log.debug("left the Flight Recorder's repository " + repository + ": " + e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    RecordingStream current = stream;
    if (current != null) {
      current.close();
    }
  }
}
