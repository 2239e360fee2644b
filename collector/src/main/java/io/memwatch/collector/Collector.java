package io.memwatch.collector;

import io.memwatch.collector.drain.EventDrain;
import io.memwatch.collector.events.EventQueues;
import io.memwatch.collector.export.AgentHealthMetrics;
import io.memwatch.collector.dump.HeapDumpEndpoint;
import io.memwatch.collector.dump.HeapDumper;
import io.memwatch.collector.export.AllocationMetrics;
import io.memwatch.collector.export.GuardedEndpoint;
import io.memwatch.collector.export.LeakMetrics;
import io.memwatch.collector.export.Listen;
import io.memwatch.collector.leak.LeakDetector;
import io.memwatch.collector.leak.LeakReporter;
import io.memwatch.collector.leak.RetainersEndpoint;
import io.memwatch.collector.sites.LiveSitesPublisher;
import io.memwatch.collector.sites.OldObjects;
import io.memwatch.collector.sites.SurvivorTracker;
import io.memwatch.collector.health.InstrumentationCounts;
import io.memwatch.collector.sites.AllocationAggregates;
import io.memwatch.collector.sites.SiteRegistry;
import io.memwatch.collector.sites.TopSitesPublisher;
import io.memwatch.collector.export.LiveSetMetrics;
import io.memwatch.collector.export.MetricsServer;
import io.memwatch.collector.export.NodeMemoryMetrics;
import io.memwatch.collector.export.RetainerMetrics;
import io.memwatch.collector.live.LiveSet;
import io.memwatch.collector.memory.CgroupMemoryLimit;
import io.memwatch.collector.memory.MemorySampler;
import io.memwatch.collector.memory.ProcStatus;
import io.memwatch.collector.log.Log;
import io.memwatch.collector.page.LiveFeed;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;

/**
 * The consumer side, wired: queues in, meters out. Plain Java, no instrumentation: a test can
 * create one, offer events to {@link #queues()}, and read {@link #registry()}.
 */
public final class Collector implements AutoCloseable {
  /** Top sites are ranked by bytes with a half-life of about a minute. */
  private static final Duration RECENT_HALF_LIFE = Duration.ofMinutes(1);

  private final EventQueues queues;
  private final PrometheusMeterRegistry registry;
  private final EventDrain drain;
  private final MemorySampler memory;
  private final LiveSet liveSet;
  private final LeakDetector leakDetector;
  private final AllocationAggregates allocations;
  private final TopSitesPublisher topSites;
  private final LiveSitesPublisher liveSites;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final OldObjects oldObjects;
  private final LiveFeed liveFeed;

  /** A collector without instrumentation: memory figures and GC only. */
  public Collector(EventQueues queues, Duration memoryPeriod) {
    this(queues, new SiteRegistry(), new InstrumentationCounts(), CollectorSettings.DEFAULTS.withMemoryPeriod(memoryPeriod));
  }

  public Collector(EventQueues queues, SiteRegistry sites, InstrumentationCounts instrumentation, CollectorSettings settings) {
    this(queues, sites, instrumentation, settings, new OldObjects());
  }

  /** @param oldObjects where the JVM's own sample of live objects is offered; started once the live set grows */
  public Collector(EventQueues queues, SiteRegistry sites, InstrumentationCounts instrumentation, CollectorSettings settings,
      OldObjects oldObjects) {
    this.queues = queues;
    this.oldObjects = oldObjects;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.memory = new MemorySampler(new ProcStatus(ProcStatus.SELF));
    this.drain = new EventDrain(queues, Duration.ofMillis(50));
    this.allocations = new AllocationAggregates(sites, settings.maxTrackedSites());
    double decay = Math.pow(0.5, (double) settings.siteRefreshPeriod().toMillis() / RECENT_HALF_LIFE.toMillis());
    this.topSites = new TopSitesPublisher(allocations, registry, settings.topSites(), decay);
    SurvivorTracker survivors = new SurvivorTracker(sites, settings.followedObjects(), oldObjects::samplerSinceMillis, queues::dropped);
    this.liveSet = new LiveSet(settings.leak().longWindow());
    // The heap's max as the memory MXBean reports it; <= 0 (no -Xmx) lets the detector use the pools'.
    this.leakDetector = new LeakDetector(settings.leak(), () -> memory.get().heapMax(), survivors, oldObjects);
    this.liveSites = new LiveSitesPublisher(survivors, registry, settings.topSites(), oldObjects, liveSet::bytes);
    drain.onGc(survivors::afterCollection); // first: the others ask what it saw
    drain.onGc(liveSet);
    drain.onGc(leakDetector);
    drain.onGc(event -> {
      if (leakDetector.growthSeen()) {
        oldObjects.want();
      }
    });
    drain.onAllocation(allocations);
    drain.onAllocation(survivors);
    drain.every(settings.memoryPeriod(), memory::sample);
    drain.every(settings.siteRefreshPeriod(), topSites::refresh);
    drain.every(CollectorSettings.SURVIVOR_PERIOD, liveSites::update);
    drain.every(Duration.ofSeconds(1), survivors::probe);
    memory.sample();
    this.liveFeed = new LiveFeed(registry, leakDetector::verdict, Log.recent());
    drain.every(LiveFeed.PERIOD, liveFeed::record);

    new NodeMemoryMetrics(memory, CgroupMemoryLimit.system().limitBytes()).bindTo(registry);
    new LiveSetMetrics(liveSet).bindTo(registry);
    new LeakMetrics(leakDetector::verdict).bindTo(registry);
    new AllocationMetrics(allocations).bindTo(registry);
    new AgentHealthMetrics(queues, instrumentation, sites, drain::failures).bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Starts the collector thread. */
  public Collector start() {
    drain.start();
    return this;
  }

  /** Serves the registry over HTTP; the caller decides what a failure to bind means. */
  public MetricsServer serve(String host, int port) throws IOException {
    return MetricsServer.start(registry, Listen.plain(host, port), Map.of(), liveFeed);
  }

  /**
   * Serves the registry as {@code listen} says, with the endpoints that act on the JVM, each guarded
   * by {@code token}: {@code POST /heapdump} writing through {@code dumper} unless it is null, and
   * {@code POST /retainers} if {@code retainers}.
   */
  public MetricsServer serve(Listen listen, HeapDumper dumper, boolean retainers, String token) throws IOException {
    Map<String, GuardedEndpoint> endpoints = new HashMap<>();
    if (dumper != null) {
      endpoints.put(HeapDumpEndpoint.PATH, new GuardedEndpoint(HeapDumpEndpoint.PURPOSE, token, new HeapDumpEndpoint(dumper)));
    }
    if (retainers) {
      endpoints.put(RetainersEndpoint.PATH,
          new GuardedEndpoint(RetainersEndpoint.PURPOSE, token, new RetainersEndpoint(oldObjects, leakDetector::verdict)));
    }
    return MetricsServer.start(registry, listen, endpoints, liveFeed);
  }

  /** Logs each turn of the leak verdict with the suspect sites, and dumps the heap on a new suspicion if {@code dumper} is not null. */
  public void reportLeaks(HeapDumper dumper) {
    RetainerMetrics retainers = new RetainerMetrics(registry);
    LeakReporter reporter = new LeakReporter(liveSites::suspects, dumper, oldObjects::heldWithPaths, retainers::publish);
    leakDetector.onChange(reporter);
    drain.onGc(event -> reporter.afterCollection(leakDetector.verdict()));
  }

  public EventQueues queues() {
    return queues;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public EventDrain drain() {
    return drain;
  }

  public AllocationAggregates allocations() {
    return allocations;
  }

  /** Chooses the top sites now rather than on the next period; for tests that drive the collector. */
  public void refreshTopSites() {
    topSites.refresh();
  }

  public LeakDetector leakDetector() {
    return leakDetector;
  }

  /** Where the JVM's own sample of live objects is plugged in, once something can read it. */
  public OldObjects oldObjects() {
    return oldObjects;
  }

  public LiveSitesPublisher liveSites() {
    return liveSites;
  }

  public LiveSet liveSet() {
    return liveSet;
  }

  @Override
  public void close() {
    drain.close();
    gcMetrics.close();
    registry.close();
  }
}
