package io.memwatch.benchmarks.workload;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;
import com.google.common.collect.HashBasedTable;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Iterables;
import com.google.common.collect.LinkedHashMultiset;
import com.google.common.collect.Multimaps;
import com.google.common.collect.Multiset;
import com.google.common.collect.Multisets;
import com.google.common.collect.Ordering;
import com.google.common.collect.Table;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An allocation-heavy program built on code that was not written for memwatch: Jackson data
 * binding and trees, Guava immutable collections, multimaps, multisets, tables, a loading cache and
 * hashing. It does a fixed amount of work (not work for a fixed time), so its wall time is the
 * measure, and it prints one line:
 *
 * <pre>workload: elapsedMs=12345 secondHalfMs=... checksum=... vmHwmKiB=... cpuMs=... allocatedMiB=... gcCount=... ...</pre>
 *
 * <p>The checksum depends only on the work, never on timing or thread interleaving, so runs under
 * different agents can be checked to have done exactly the same thing. {@code secondHalfMs} is the
 * time the second half of the batches took: less of the start-up and warm-up in it than in the
 * whole (but steady only if the JIT and any agent's instrumentation settled before the half way
 * mark). {@code vmHwmKiB} is the
 * process's peak resident set (VmHWM); {@code cpuMs} the process's CPU time, every thread included;
 * {@code allocatedMiB} what the worker threads allocated on the heap (the same work allocates the
 * same bytes, unless instrumentation keeps the JIT from removing allocations); {@code gcCount} and
 * {@code gcMs} the collections so far. {@code -Dworkload.threadCpu=true} adds a line on stderr with
 * the CPU time of each thread (the JIT's and the collector's included), to see where an agent's
 * cost goes.
 *
 * <p>System properties: {@code workload.batches} (default 2000), {@code workload.orders} per batch
 * (default 400), {@code workload.threads} (default 2), and {@code workload.sampler=allocation-instrumenter}
 * to register a trivial sampler with google's allocation-instrumenter (run with that jar as
 * {@code -javaagent}): without a sampler it instruments but records nothing. {@code workload.coverage=true}
 * adds a line on stderr comparing memwatch's count of bytes allocated with the JVM's ({@link Coverage}).
 */
public final class JsonAndCollectionsWorkload {
  private static final TypeReference<List<Model.Order>> ORDERS = new TypeReference<>() {};
  private static final Splitter TAG_SPLITTER = Splitter.on(';').omitEmptyStrings().trimResults();
  private static final Joiner TAG_JOINER = Joiner.on(';').skipNulls();
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final ObjectMapper mapper = new ObjectMapper();
  /** Bounded so it churns: the same keys come back, but many are evicted in between. */
  private final LoadingCache<String, ImmutableList<String>> customerProfiles = CacheBuilder.newBuilder()
      .maximumSize(1_000)
      .build(CacheLoader.from(JsonAndCollectionsWorkload::profile));
  private final int ordersPerBatch;
  private final LongAdder allocatedBytes = new LongAdder();
  private Map<String, Long> threadCpu;
  /** The JVM's own count of bytes allocated, taken at the end of the work with {@code -Dworkload.coverage=true}. */
  private long jvmAllocatedBytes;
  /** When the second half of the batches began. */
  private volatile long secondHalfStart;

  private JsonAndCollectionsWorkload(int ordersPerBatch) {
    this.ordersPerBatch = ordersPerBatch;
  }

  public static void main(String[] args) throws Exception {
    int batches = Integer.getInteger("workload.batches", 2000);
    int orders = Integer.getInteger("workload.orders", 400);
    int threads = Integer.getInteger("workload.threads", 2);
    // The sampler's class is touched only when asked for: it links against the instrumenter's jar.
    boolean sampler = "allocation-instrumenter".equals(System.getProperty("workload.sampler"));
    if (sampler) {
      InstrumenterSampler.register();
    }
    long start = System.nanoTime();
    JsonAndCollectionsWorkload workload = new JsonAndCollectionsWorkload(orders);
    long checksum = workload.run(batches, threads);
    long end = System.nanoTime();
    long elapsedMs = (end - start) / 1_000_000;
    long secondHalfMs = (end - workload.secondHalfStart) / 1_000_000;
    long gcCount = 0;
    long gcMs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMs += Math.max(0, gc.getCollectionTime());
    }
    long cpuMs = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime() / 1_000_000;
    System.out.printf("workload: elapsedMs=%d secondHalfMs=%d checksum=%016x vmHwmKiB=%d cpuMs=%d allocatedMiB=%d"
            + " gcCount=%d gcMs=%d batches=%d orders=%d threads=%d%n",
        elapsedMs, secondHalfMs, checksum, peakRssKiB(), cpuMs, workload.allocatedBytes.sum() >> 20, gcCount, gcMs,
        batches, orders, threads);
    if (sampler) {
      System.err.println("workload: allocation-instrumenter sampler saw " + InstrumenterSampler.summary());
    }
    if (Coverage.wanted()) {
      System.err.println(Coverage.report(workload.jvmAllocatedBytes));
    }
    if (LiveHeap.wanted()) {
      System.err.println(LiveHeap.report());
    }
    if (workload.threadCpu != null) {
      System.err.println("workload: CPU ms by thread at the end of the work, the JVM's own included: "
          + workload.threadCpu);
    }
  }

  /**
   * CPU time of every thread of the process so far, by name, from /proc/self/task: where an agent's
   * cost goes (its own threads, the JIT compiler, the garbage collector or the application's).
   * Threads that ended before are counted together as "(ended threads)".
   */
  static Map<String, Long> cpuByThread() {
    Map<String, Long> byName = new java.util.TreeMap<>();
    long processMs = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime() / 1_000_000;
    long ticksPerMs = 10; // USER_HZ is 100 on Linux
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
              .replaceAll("#?[0-9]+$", "#").trim(); // "GC Thread#1" and "GC Thread#0" together
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
          byName.merge(name, ticks * ticksPerMs, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    long counted = byName.values().stream().mapToLong(Long::longValue).sum();
    byName.put("(ended threads)", Math.max(0, processMs - counted));
    byName.values().removeIf(ms -> ms < 50);
    return byName;
  }

  /** Runs batches 0..n-1 on {@code threads} threads; sums per-batch checksums, so order does not matter. */
  private long run(int batches, int threads) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
          long sum = 0;
          for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
            if (b == batches / 2) {
              secondHalfStart = System.nanoTime();
            }
            sum += mix(b, batch(b));
          }
          allocatedBytes.add(THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore);
          return sum;
        }));
      }
      long total = 0;
      for (Future<Long> worker : workers) {
        total += worker.get();
      }
      if (Boolean.getBoolean("workload.threadCpu")) {
        threadCpu = cpuByThread(); // while the workers are still there to be counted
      }
      if (Coverage.wanted()) {
        jvmAllocatedBytes = Coverage.jvmAllocatedBytes(); // likewise
      }
      return total;
    } finally {
      pool.shutdown();
    }
  }

  /** One unit of work: everything a batch of orders goes through, folded into one number. */
  private long batch(int index) throws IOException {
    Hasher result = Hashing.murmur3_128().newHasher();
    List<Model.Order> generated = Model.orders(index, ordersPerBatch);

    // Jackson data binding, both ways.
    byte[] json = mapper.writeValueAsBytes(generated);
    List<Model.Order> orders = mapper.readValue(json, ORDERS);
    result.putInt(json.length).putLong(Hashing.murmur3_128().hashBytes(json).asLong());

    // Jackson trees: read and walk one, build and write another.
    JsonNode tree = mapper.readTree(json);
    result.putLong(walk(tree));
    result.putInt(mapper.writeValueAsString(summary(orders)).length());

    // Guava: index, count, tabulate, sort, cache.
    ImmutableListMultimap<String, Model.Order> byCustomer = Multimaps.index(orders, order -> order.customer);
    Multiset<String> units = LinkedHashMultiset.create();
    Table<String, String, Long> revenue = HashBasedTable.create();
    for (Model.Order order : orders) {
      for (Model.Line line : order.lines) {
        units.add(line.sku, line.quantity);
        revenue.row(order.shipTo.country).merge(order.status, line.priceCents * line.quantity, Long::sum);
      }
    }
    for (Multiset.Entry<String> top : Multisets.copyHighestCountFirst(units).entrySet().asList().subList(0, 10)) {
      result.putString(top.getElement(), StandardCharsets.UTF_8).putInt(top.getCount());
    }
    ImmutableSortedMap<String, Map<String, Long>> byCountry = ImmutableSortedMap.copyOf(revenue.rowMap());
    for (Map.Entry<String, Map<String, Long>> country : byCountry.entrySet()) {
      result.putString(country.getKey(), StandardCharsets.UTF_8)
          .putLong(country.getValue().values().stream().mapToLong(Long::longValue).sum());
    }
    for (String customer : ImmutableSortedSet.copyOf(byCustomer.keySet())) {
      ImmutableList<Model.Order> theirs = byCustomer.get(customer);
      ImmutableList<String> profile = customerProfiles.getUnchecked(customer);
      result.putInt(theirs.size()).putInt(profile.size()).putString(profile.get(0), StandardCharsets.UTF_8);
      List<Model.Order> sorted = Ordering.natural().onResultOf((Model.Order o) -> o.id).sortedCopy(theirs);
      result.putLong(sorted.get(0).id);
      ImmutableMap.Builder<String, String> tags = ImmutableMap.builder();
      for (Model.Order order : sorted) {
        order.tags.forEach((k, v) -> tags.put(k + "#" + order.id, v));
      }
      String joined = TAG_JOINER.join(tags.buildOrThrow().values());
      result.putInt(Iterables.size(TAG_SPLITTER.split(joined)));
    }
    return result.hash().asLong();
  }

  /** Counts nodes and sums every number in a tree. */
  private static long walk(JsonNode node) {
    long sum = 1;
    if (node.isNumber()) {
      sum += node.asLong();
    } else if (node.isTextual()) {
      sum += node.textValue().length();
    }
    for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
      sum += walk(children.next());
    }
    return sum;
  }

  /** A per-country report as a Jackson tree. */
  private static ObjectNode summary(List<Model.Order> orders) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    for (Model.Order order : orders) {
      ObjectNode country = root.has(order.shipTo.country)
          ? (ObjectNode) root.get(order.shipTo.country)
          : root.putObject(order.shipTo.country);
      ArrayNode ids = country.has("orders") ? (ArrayNode) country.get("orders") : country.putArray("orders");
      ids.add(order.id);
      long total = 0;
      for (Model.Line line : order.lines) {
        total += line.priceCents * line.quantity;
      }
      country.put("cents", country.path("cents").asLong() + Math.round(total * (1 - order.discount)));
      country.put("lines", country.path("lines").asInt() + order.lines.size());
    }
    return root;
  }

  /** What the cache computes for a customer: a pure function of the key, so hits and misses agree. */
  private static ImmutableList<String> profile(String customer) {
    String hash = Hashing.sha256().hashString(customer, StandardCharsets.UTF_8).toString();
    return ImmutableList.of(hash.substring(0, 16), hash.substring(16, 32), customer.toUpperCase());
  }

  private static long mix(int batch, long value) {
    long z = value + 0x9E3779B97F4A7C15L * (batch + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** VmHWM, the process's peak resident set, from /proc/self/status; -1 where there is none. */
  static long peakRssKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return -1;
  }
}
