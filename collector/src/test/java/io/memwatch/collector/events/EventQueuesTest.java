package io.memwatch.collector.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventQueuesTest {
  static GcEvent gc(long usedAfter) {
    return new GcEvent("G1 Young Generation", "end of minor GC", "G1 Evacuation Pause", 0, 1,
        List.of(new GcEvent.PoolUsage("G1 Eden Space", usedAfter * 2, 0, 1000, -1),
            new GcEvent.PoolUsage("G1 Old Gen", usedAfter, usedAfter, 1000, 4000)));
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void fullQueueDropsAndCountsInsteadOfBlocking() {
    EventQueues queues = new EventQueues(8);

    int accepted = 0;
    for (int i = 0; i < 1000; i++) {
      if (queues.offerGc(gc(i))) {
        accepted++;
      }
    }

    assertThat(accepted).isEqualTo(8);
    assertThat(queues.dropped()).isEqualTo(992);
  }

  @Test
  void drainedQueueAcceptsAgain() {
    EventQueues queues = new EventQueues(2);
    queues.offerGc(gc(1));
    queues.offerGc(gc(2));
    assertThat(queues.offerGc(gc(3))).isFalse();

    assertThat(queues.gcEvents().drain(e -> {})).isEqualTo(2);

    assertThat(queues.offerGc(gc(4))).isTrue();
    assertThat(queues.dropped()).isEqualTo(1);
  }

  @Test
  void manyProducersNeverLoseACount() throws InterruptedException {
    EventQueues queues = new EventQueues(64);
    Thread[] producers = new Thread[4];
    for (int t = 0; t < producers.length; t++) {
      producers[t] = new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          queues.offerGc(gc(i));
        }
      });
      producers[t].start();
    }
    for (Thread producer : producers) {
      producer.join();
    }
    // Nothing drained: every event is either queued or counted as dropped.
    assertThat(queues.gcEvents().size() + queues.dropped()).isEqualTo(40_000);
  }

  @Test
  void heapFiguresSumThePools() {
    GcEvent event = gc(100);
    assertThat(event.heapUsedBefore()).isEqualTo(300);
    assertThat(event.heapUsedAfter()).isEqualTo(100);
  }
}
