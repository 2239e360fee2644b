package io.memwatch.agent.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AllocationHookTest {
  @AfterEach
  void disarm() {
    AllocationHook.disarm();
  }

  @Test
  void samplesAboutOncePerMeanBytes() {
    AtomicLong samples = new AtomicLong();
    AllocationHook.arm((allocated, site, bytes) -> samples.incrementAndGet(), 4096);
    Object object = new Object();

    long allocations = 4_000_000;
    for (long i = 0; i < allocations; i++) {
      AllocationHook.object(object, 32, 1);
    }

    double expected = allocations * 32.0 / 4096; // 31,250
    assertThat((double) samples.get()).isCloseTo(expected, within(expected * 0.05));
  }

  @Test
  void aSinkThatThrowsNeverReachesTheCaller() {
    AllocationHook.arm((allocated, site, bytes) -> {
      throw new IllegalStateException("agent bug");
    }, 1);
    AllocationHook.object(new Object(), 16, 1);
    AllocationHook.array(new int[3], 3, 4, 2);
  }

  @Test
  void aSinkThatAllocatesThroughTheHookDoesNotRecurse() {
    AtomicLong calls = new AtomicLong();
    AllocationHook.arm((allocated, site, bytes) -> {
      calls.incrementAndGet();
      AllocationHook.object(new Object(), 1 << 20, 99); // what instrumented code in the sink would do
    }, 1);

    AllocationHook.object(new Object(), 16, 1);

    assertThat(calls).hasValue(1);
  }

  @Test
  void arraysWeighTheirLength() {
    AtomicLong bytes = new AtomicLong();
    AllocationHook.arm((allocated, site, estimated) -> bytes.set(estimated), 1);
    AllocationHook.array(new long[100], 100, 8, 1);
    assertThat(bytes).hasValue(16 + 800);
  }

  @Test
  void multiArraysAreMeasuredWhole() {
    // int[3][4]: one outer array of 3 references, three int[4].
    assertThat(MultiArrays.estimateBytes(new int[3][4], 16)).isEqualTo((16 + 3 * 4) + 3 * (16 + 4 * 4));
    assertThat(MultiArrays.estimateBytes(new Object[5][], 16)).isEqualTo(16 + 5 * 4);
    assertThat(MultiArrays.estimateBytes(new String[0][7], 16)).isEqualTo(16);
  }

  @Test
  void disarmedNeverSamples() {
    AtomicLong samples = new AtomicLong();
    AllocationHook.arm((allocated, site, bytes) -> samples.incrementAndGet(), 1);
    AllocationHook.disarm();
    for (int i = 0; i < 1000; i++) {
      AllocationHook.object(new Object(), 1 << 20, 1);
    }
    assertThat(samples).hasValue(0);
  }
}
