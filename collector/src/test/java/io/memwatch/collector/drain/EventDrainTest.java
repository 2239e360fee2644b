package io.memwatch.collector.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.GcEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventDrainTest {
  private static GcEvent event(int n) {
    return new GcEvent("Copy", "end of minor GC", "Allocation Failure", n, 1, List.of());
  }

  @Test
  void deliversEveryEventInOrderOnItsOwnThread() {
    EventQueues queues = new EventQueues(16);
    List<String> seen = new CopyOnWriteArrayList<>();
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(5))) {
      drain.onGc(e -> seen.add(Thread.currentThread().getName() + ":" + e.startMillis()));
      drain.start();
      for (int i = 0; i < 10; i++) {
        queues.offerGc(event(i));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 10);
    }
    assertThat(seen).first().isEqualTo("memwatch-collector:0");
    assertThat(seen).last().isEqualTo("memwatch-collector:9");
  }

  @Test
  void aFailingConsumerDoesNotStopTheOthers() {
    EventQueues queues = new EventQueues(16);
    AtomicInteger delivered = new AtomicInteger();
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(5))) {
      drain.onGc(e -> { throw new IllegalStateException("boom"); });
      drain.onGc(e -> delivered.incrementAndGet());
      queues.offerGc(event(1));
      queues.offerGc(event(2));
      assertThat(drain.drainOnce()).isEqualTo(2);
    }
    assertThat(delivered).hasValue(2);
  }

  @Test
  void periodicTasksRunRepeatedlyAndSurviveFailures() {
    EventQueues queues = new EventQueues(16);
    AtomicInteger runs = new AtomicInteger();
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(5))) {
      drain.every(Duration.ofMillis(10), () -> {
        runs.incrementAndGet();
        throw new IllegalStateException("boom");
      });
      drain.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
    }
  }

  @Test
  void threadIsADaemonSoTheHostCanExit() {
    EventQueues queues = new EventQueues(16);
    AtomicInteger daemon = new AtomicInteger(-1);
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(5))) {
      drain.onGc(e -> daemon.set(Thread.currentThread().isDaemon() ? 1 : 0));
      drain.start();
      queues.offerGc(event(1));
      await().atMost(Duration.ofSeconds(5)).until(() -> daemon.get() >= 0);
    }
    assertThat(daemon).hasValue(1);
  }

  @Test
  void theThreadOutlivesAnOutOfMemoryErrorEvenWhenReportingItRunsOutOfMemoryToo() {
    EventQueues queues = new EventQueues(16);
    List<Long> seen = new CopyOnWriteArrayList<>();
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(5))) {
      drain.onGc(e -> {
        if (e.startMillis() == 1) {
          // The heap is full: even the message about the error cannot be built.
          throw new OutOfMemoryError() {
            @Override
            public String toString() {
              throw new OutOfMemoryError("no room for the message either");
            }
          };
        }
        seen.add(e.startMillis());
      });
      drain.start();
      queues.offerGc(event(1));
      await().atMost(Duration.ofSeconds(5)).until(() -> queues.gcEvents().isEmpty());
      queues.offerGc(event(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(2L));
    }
  }

  @Test
  void anInterruptedThreadCarriesOnParkingInsteadOfSpinning() throws Exception {
    EventQueues queues = new EventQueues(16);
    java.util.concurrent.atomic.AtomicReference<Thread> collector = new java.util.concurrent.atomic.AtomicReference<>();
    List<Long> seen = new CopyOnWriteArrayList<>();
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(50))) {
      drain.onGc(e -> {
        collector.set(Thread.currentThread());
        seen.add(e.startMillis());
      });
      drain.start();
      queues.offerGc(event(1));
      await().atMost(Duration.ofSeconds(5)).until(() -> collector.get() != null);
      collector.get().interrupt();
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpuBefore = threads.getThreadCpuTime(collector.get().getId());
      Thread.sleep(1000);
      long cpuMillis = (threads.getThreadCpuTime(collector.get().getId()) - cpuBefore) / 1_000_000;
      assertThat(cpuMillis).as("CPU the interrupted collector thread used in a second").isLessThan(200);
      queues.offerGc(event(2));
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(2L));
    }
  }

  @Test
  void failuresAreCounted() {
    EventQueues queues = new EventQueues(16);
    try (EventDrain drain = new EventDrain(queues, Duration.ofMillis(5))) {
      drain.onGc(e -> { throw new IllegalStateException("boom"); });
      queues.offerGc(event(1));
      queues.offerGc(event(2));
      drain.drainOnce();
      assertThat(drain.failures()).isEqualTo(2);
    }
  }
}
