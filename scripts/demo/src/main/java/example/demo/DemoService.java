package example.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Node.js document's leaky HTTP server, on the JVM: {@code /leak} keeps what each request
 * made, {@code /ok} does the same work and lets it go, and the other leak patterns of the document
 * (see {@link LeakPatterns}) each with its fix. With {@code --load N} it sends itself N requests a
 * second to each endpoint named by {@code --paths}, so there is something to watch at once.
 */
public final class DemoService {
  /** The leak: a global list that only grows, like the document's {@code leakedObjects}. */
  static final List<LeakedRecord> LEAKED = new ArrayList<>();

  /**
   * What a request builds, like the document's leaked data ({@code new Array(10000).fill('leak')}
   * and a timestamp): an array of 25,000 references to one string, about 100 KB.
   */
  record LeakedRecord(long id, String[] data, long createdAt) {
    static LeakedRecord create(long id) {
      String[] data = new String[25_000];
      java.util.Arrays.fill(data, "leak");
      return new LeakedRecord(id, data, System.currentTimeMillis());
    }
  }

  private DemoService() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> options = parse(args);
    int port = Integer.parseInt(options.getOrDefault("port", "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/leak", exchange -> {
      synchronized (LEAKED) {
        LEAKED.add(LeakedRecord.create(LEAKED.size()));
        respond(exchange, "Leaked object count: " + LEAKED.size() + "\n");
      }
    });
    server.createContext("/ok", exchange -> {
      LeakedRecord record = LeakedRecord.create(System.nanoTime());
      respond(exchange, "Built and released an array of " + record.data().length + " strings\n");
    });
    AtomicLong requests = new AtomicLong();
    endpoint(server, "/cache", () -> "unbounded cache entries: " + LeakPatterns.UnboundedCache.put(requests.incrementAndGet()));
    endpoint(server, "/cache-lru", () -> "bounded LRU cache entries: " + LeakPatterns.BoundedLruCache.put(requests.incrementAndGet()));
    endpoint(server, "/listener", () -> {
      LeakPatterns.EventBus.subscribe(requests.incrementAndGet());
      return "listeners never removed: " + LeakPatterns.EventBus.listeners();
    });
    endpoint(server, "/listener-removed", () -> {
      LeakPatterns.EventBus.unsubscribe(LeakPatterns.EventBus.subscribe(requests.incrementAndGet()));
      return "listeners: " + LeakPatterns.EventBus.listeners();
    });
    endpoint(server, "/closure", () -> "closures holding a whole payload: " + LeakPatterns.Formatters.register(requests.incrementAndGet()));
    endpoint(server, "/closure-fixed", () -> LeakPatterns.Formatters.formatOnly(requests.incrementAndGet()));
    endpoint(server, "/timer", () -> {
      LeakPatterns.Timers.start(requests.incrementAndGet());
      return "started a timer nobody cancels";
    });
    endpoint(server, "/timer-cancelled", () -> {
      LeakPatterns.Timers.startAndCancel(requests.incrementAndGet());
      return "started a timer and cancelled it";
    });
    server.createContext("/", exchange -> respond(exchange, String.join("\n",
        "memwatch demo: each endpoint does one request's work; the first of each pair leaks, the second is its fix.",
        "  /leak              /ok                a global list that keeps every request's data",
        "  /cache             /cache-lru         an unbounded cache, and a bounded LRU cache",
        "  /listener          /listener-removed  an event listener never removed, and removed",
        "  /closure           /closure-fixed     a closure that captures the whole payload, and only what it needs",
        "  /timer             /timer-cancelled   a repeating timer never cancelled, and cancelled",
        "")));
    server.start();
    System.out.println("demo: serving on http://127.0.0.1:" + server.getAddress().getPort() + "/");

    int load = Integer.parseInt(options.getOrDefault("load", "0"));
    if (load > 0) {
      String[] paths = options.getOrDefault("paths", "/ok,/leak").split(",");
      SelfLoad.start(server.getAddress().getPort(), paths, load);
    }
  }

  private static void endpoint(HttpServer server, String path, Supplier<String> work) {
    server.createContext(path, exchange -> respond(exchange, work.get() + "\n"));
  }

  static void respond(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  /** {@code --key value} pairs. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --key value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
