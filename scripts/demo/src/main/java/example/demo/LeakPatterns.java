package example.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Node.js guide's leak patterns, each with its fix, one request's worth of work each. The
 * payload every request builds is a {@link Payload} of about 10 KB, so each leak grows by that
 * much per request and is easy to spot by its allocation site.
 */
final class LeakPatterns {
  private LeakPatterns() {}

  /** What one request works with: about 10 KB. */
  record Payload(long id, byte[] body) {
    static Payload of(long id) {
      return new Payload(id, new byte[10_000]);
    }
  }

  /** An unbounded cache keyed by something unique per request: it only ever grows. */
  static final class UnboundedCache {
    private static final Map<Long, Payload> ENTRIES = new ConcurrentHashMap<>();

    static int put(long requestId) {
      ENTRIES.put(requestId, Payload.of(requestId));
      return ENTRIES.size();
    }
  }

  /** The fix: a bounded LRU cache that lets the eldest entries go. */
  static final class BoundedLruCache {
    private static final int CAPACITY = 500;
    private static final Map<Long, Payload> ENTRIES = new LinkedHashMap<>(CAPACITY, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Payload> eldest) {
        return size() > CAPACITY;
      }
    };

    static synchronized int put(long requestId) {
      ENTRIES.put(requestId, Payload.of(requestId));
      return ENTRIES.size();
    }
  }

  /** A process-wide event bus: whoever subscribes and forgets to unsubscribe stays forever. */
  static final class EventBus {
    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();

    static Runnable subscribe(long requestId) {
      Payload payload = Payload.of(requestId);
      Runnable listener = () -> payload.body()[0]++;
      LISTENERS.add(listener);
      return listener;
    }

    static void unsubscribe(Runnable listener) {
      LISTENERS.remove(listener);
    }

    static int listeners() {
      return LISTENERS.size();
    }
  }

  /** A long-lived registry of formatters whose closures capture each request's whole payload. */
  static final class Formatters {
    private static final List<Supplier<String>> REGISTERED = new ArrayList<>();

    static synchronized int register(long requestId) {
      Payload payload = Payload.of(requestId);
      REGISTERED.add(() -> "request " + payload.id() + " of " + payload.body().length + " bytes");
      return REGISTERED.size();
    }

    /** The fix: capture only what the closure needs, not the payload. */
    static String formatOnly(long requestId) {
      Payload payload = Payload.of(requestId);
      long id = payload.id();
      int length = payload.body().length;
      Supplier<String> formatter = () -> "request " + id + " of " + length + " bytes";
      return formatter.get();
    }
  }

  /** A repeating timer per request that nobody cancels: the scheduler holds it, and its payload, forever. */
  static final class Timers {
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "demo-timers");
      thread.setDaemon(true);
      return thread;
    });

    static ScheduledFuture<?> start(long requestId) {
      Payload payload = Payload.of(requestId);
      return SCHEDULER.scheduleAtFixedRate(() -> payload.body()[1]++, 1, 1, TimeUnit.HOURS);
    }

    /** The fix: cancel the timer when the request is done with it. */
    static void startAndCancel(long requestId) {
      start(requestId).cancel(false);
    }
  }
}
