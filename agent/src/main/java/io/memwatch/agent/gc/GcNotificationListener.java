package io.memwatch.agent.gc;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.log.Log;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Turns each garbage collection the JVM reports into a {@link GcEvent} on the collector's queue.
 *
 * <p>Runs on the JVM's notification thread, not the host's: it may allocate, but it must never
 * block, so it only offers to the queue and returns.
 */
public final class GcNotificationListener implements NotificationListener, AutoCloseable {
  private final EventQueues queues;
  private final Set<String> heapPools;
  private final List<NotificationEmitter> emitters = new ArrayList<>();

  private GcNotificationListener(EventQueues queues, Set<String> heapPools) {
    this.queues = queues;
    this.heapPools = heapPools;
  }

  /** Listens to every collector bean that emits notifications. */
  public static GcNotificationListener install(EventQueues queues) {
    Set<String> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toUnmodifiableSet());
    GcNotificationListener listener = new GcNotificationListener(queues, heapPools);
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        listener.emitters.add(emitter);
      }
    }
    return listener;
  }

  @Override
  public void handleNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    try {
      queues.offerGc(toEvent(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())));
    } catch (RuntimeException e) {
      Log.warnOnce("gc-notification", "could not read a GC notification: " + e);
    }
  }

  GcEvent toEvent(GarbageCollectionNotificationInfo info) {
    GcInfo gc = info.getGcInfo();
    Map<String, MemoryUsage> before = gc.getMemoryUsageBeforeGc();
    List<GcEvent.PoolUsage> pools = new ArrayList<>();
    gc.getMemoryUsageAfterGc().forEach((pool, after) -> {
      if (heapPools.contains(pool)) {
        MemoryUsage was = before.get(pool);
        pools.add(new GcEvent.PoolUsage(pool, was == null ? after.getUsed() : was.getUsed(),
            after.getUsed(), after.getCommitted(), after.getMax()));
      }
    });
    return new GcEvent(info.getGcName(), info.getGcAction(), info.getGcCause(),
        gc.getStartTime(), gc.getDuration(), pools);
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(this);
      } catch (Exception e) {
        Log.debug("could not remove a GC listener: " + e);
      }
    }
    emitters.clear();
  }
}
