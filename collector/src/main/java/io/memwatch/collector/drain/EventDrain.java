package io.memwatch.collector.drain;

import io.memwatch.collector.events.AllocationSample;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.log.Log;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The collector's one thread: drains the queues in batches and runs periodic tasks.
 *
 * <p>Being the only consumer is what makes the single-consumer queues and the unsynchronised
 * aggregates downstream safe. The thread is a daemon so the host can always exit.
 */
public final class EventDrain implements AutoCloseable {
  /** At most this many events per queue per pass, so periodic tasks are never starved. */
  static final int BATCH_LIMIT = 4096;

  private final EventQueues queues;
  private final long idleParkNanos;
  private final List<Consumer<GcEvent>> gcConsumers = new CopyOnWriteArrayList<>();
  private final List<Consumer<AllocationSample>> allocationConsumers = new CopyOnWriteArrayList<>();
  private final List<PeriodicTask> periodicTasks = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean running = true;

  public EventDrain(EventQueues queues, Duration idlePark) {
    this.queues = queues;
    this.idleParkNanos = idlePark.toNanos();
    this.thread = new Thread(this::run, "memwatch-collector");
    this.thread.setDaemon(true);
    this.thread.setUncaughtExceptionHandler(Log.SILENT_END);
  }

  public void onGc(Consumer<GcEvent> consumer) {
    gcConsumers.add(consumer);
  }

  public void onAllocation(Consumer<AllocationSample> consumer) {
    allocationConsumers.add(consumer);
  }

  /** Runs {@code task} on the collector thread about every {@code period}, first at start. */
  public void every(Duration period, Runnable task) {
    periodicTasks.add(new PeriodicTask(period.toNanos(), task));
  }

  public void start() {
    thread.start();
  }

  /** Drains what is queued now, on the calling thread; for tests that drive the collector directly. */
  public int drainOnce() {
    // GC events first: they are rare, and the live set they carry must not wait behind samples.
    int drained = queues.gcEvents().drain(event -> deliver(gcConsumers, event), BATCH_LIMIT);
    return drained + queues.allocations().drain(sample -> deliver(allocationConsumers, sample), BATCH_LIMIT);
  }

  /** How many times something the collector thread ran failed and was carried on from. */
  public long failures() {
    return failures.get();
  }

  private void run() {
    while (running) {
      try {
        if (Thread.interrupted()) {
          // Some hosts interrupt every thread at shutdown or in tests; parking would then return at
          // once, for ever: the flag is cleared and the thread carries on parking.
          Log.warnOnce("drain-interrupted", "the collector thread was interrupted; it carries on");
        }
        int drained = drainOnce();
        long now = System.nanoTime();
        for (PeriodicTask task : periodicTasks) {
          task.runIfDue(now);
        }
        if (drained == 0) {
          LockSupport.parkNanos(idleParkNanos);
        }
      } catch (Throwable t) {
        // An OutOfMemoryError in the host's heap may strike here too: the thread must outlive it,
        // since the figures matter most right then.
        reportAndCarryOn(t);
      }
    }
  }

  private void reportAndCarryOn(Throwable t) {
    failures.incrementAndGet();
    try {
      Log.warnOnce("drain-error", "the collector thread hit " + t + "; it carries on");
    } catch (Throwable whileReporting) {
      // Building the message needs heap too, and a full heap is the usual reason to be here.
    }
    LockSupport.parkNanos(idleParkNanos);
  }

  private <T> void deliver(List<Consumer<T>> consumers, T event) {
    for (Consumer<T> consumer : consumers) {
      try {
        consumer.accept(event);
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        // One bad aggregate must not stop the thread that feeds all the others.
        Log.warnOnce("consumer-" + consumer.getClass().getName(), "an event consumer failed: " + e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class PeriodicTask {
    private final long periodNanos;
    private final Runnable task;
    private long nextRunNanos = System.nanoTime();

    PeriodicTask(long periodNanos, Runnable task) {
      this.periodNanos = periodNanos;
      this.task = task;
    }

    void runIfDue(long now) {
      if (now - nextRunNanos < 0) {
        return;
      }
      nextRunNanos = now + periodNanos;
      try {
        task.run();
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        Log.warnOnce("periodic-task", "a periodic task failed: " + e);
      }
    }
  }
}
