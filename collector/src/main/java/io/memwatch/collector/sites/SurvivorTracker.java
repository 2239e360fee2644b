package io.memwatch.collector.sites;

import io.memwatch.collector.events.AllocationSample;
import io.memwatch.collector.events.GcEvent;
import io.memwatch.collector.events.JvmClock;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Follows a bounded set of sampled objects through weak references, to estimate per site how many
 * of its bytes are still reachable: the survivors of a leaking site keep adding up, a healthy
 * site's die young.
 *
 * <p>Each followed object stands for its sample's weight, the bytes it was the sample of. Memory
 * is bounded by {@code capacity} references: when they are all taken by live objects, every other
 * one is let go and the survivors' weights doubled, and from then on only one new sample in two
 * is followed (and so on), which keeps the estimates unbiased at half the precision. Runs on the
 * collector thread only.
 */
public final class SurvivorTracker implements Consumer<AllocationSample>, FollowedObjects {
  /**
   * A followed object's reference, with a control of its own: a reference to an object that is
   * dead from the start, made right after it. A young collection copies the two one after the
   * other, so they share its fate: when it overflows the survivor space and promotes them, it
   * discovers neither and clears neither, keeping a dead followed object as if alive, and the
   * control says the object has not been judged. The probes of {@link JudgedHorizon} judge a
   * stretch of time only, and one copied before the overflow cannot vouch for the objects copied
   * after it: on Parallel, request garbage was once counted 78 MiB alive beside a 93 MiB live set.
   */
  private static final class Followed extends WeakReference<Object> {
    final SiteKey site;
    final long allocatedAt;
    long weight;
    int slot;
    private WeakReference<Object> control;

    Followed(Object referent, ReferenceQueue<Object> queue, SiteKey site, long weight, long allocatedAt,
        Object deadControl) {
      super(referent, queue);
      this.site = site;
      this.weight = weight;
      this.allocatedAt = allocatedAt;
      this.control = new WeakReference<>(deadControl);
    }

    /** Whether a collection has judged this object: its control was cleared (and let go since). */
    boolean judged() {
      if (control != null && control.get() == null) {
        control = null;
      }
      return control == null;
    }
  }

  private final SiteRegistry sites;
  private final Followed[] followed;
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
  private final SplittableRandom random = new SplittableRandom(42);
  private int size;
  /** Only one sample in {@code 1 << thinning} is followed, and its weight multiplied by as much. */
  private int thinning;
  private final JudgedHorizon horizon = new JudgedHorizon(256);
  private final MarkingProbe marking = new MarkingProbe();

  private final UnfollowedBytes unfollowed = new UnfollowedBytes();
  private final LongSupplier samplerSinceMillis;
  private final LongSupplier droppedEvents;
  private long droppedSeen;
  private long droppedSeenAtMillis = Long.MIN_VALUE;
  private long newestSampleMillis = Long.MIN_VALUE;
  private long firstFollowedMillis = Long.MAX_VALUE;
  private final Supplier<Object> deadControls;
  /** Per site, the bytes its followed objects stood for that a collection found dead, since the start. */
  private final Map<SiteKey, long[]> judgedDead = new HashMap<>();

  public SurvivorTracker(SiteRegistry sites, int capacity) {
    this(sites, capacity, () -> -1, () -> 0);
  }

  /**
   * @param samplerSinceMillis JVM uptime since which the JVM's sampler has been delivering what the
   *     hooks do not follow, -1 while it is not
   * @param droppedEvents how many events were dropped so far because a queue was full: samples
   *     lost, so bytes no count can vouch for
   */
  public SurvivorTracker(SiteRegistry sites, int capacity, LongSupplier samplerSinceMillis, LongSupplier droppedEvents) {
    this(sites, capacity, samplerSinceMillis, droppedEvents, Object::new);
  }

  /** The same with the controls' referents given: a test's stand-in for a collection that kept them. */
  SurvivorTracker(SiteRegistry sites, int capacity, LongSupplier samplerSinceMillis, LongSupplier droppedEvents,
      Supplier<Object> deadControls) {
    this.deadControls = deadControls;
    this.sites = sites;
    this.followed = new Followed[capacity];
    this.samplerSinceMillis = samplerSinceMillis;
    this.droppedEvents = droppedEvents;
  }

  @Override
  public void accept(AllocationSample sample) {
    newestSampleMillis = Math.max(newestSampleMillis, sample.atMillis());
    if (sample.object() == null) {
      // memwatch's own allocations (its threads, its reading of the sampler) are not the host's growth.
      if (!sites.key(sample.site()).isMemwatchs()) {
        unfollowed.add(sample.atMillis(), sample.weightBytes());
      }
      return;
    }
    // An object that died while its sample waited in the queue died young: nothing to follow.
    Object object = sample.object() == null ? null : sample.object().get();
    if (object == null || (thinning > 0 && random.nextInt(1 << thinning) != 0)) {
      return;
    }
    expungeCollected();
    if (size == followed.length) {
      thin();
    }
    firstFollowedMillis = Math.min(firstFollowedMillis, sample.atMillis());
    Followed entry = new Followed(object, collected, sites.key(sample.site()),
        sample.weightBytes() << thinning, sample.atMillis(), deadControls.get());
    entry.slot = size;
    followed[size++] = entry;
  }

  /**
   * Drops a probe that tells, once collected, that objects allocated with it have been judged
   * ({@link JudgedHorizon}); call about once a second.
   */
  public void probe() {
    horizon.probe(JvmClock.uptimeMillis());
  }

  /** Call with each collection, before anything reads {@link #oldGenerationMarkings()}. */
  public void afterCollection(GcEvent event) {
    if (event.isMarking()) {
      marking.reported();
    } else {
      marking.afterCollection();
    }
  }

  @Override
  public long oldGenerationMarkings() {
    return marking.markings();
  }

  /** JVM uptime before which followed objects have been judged by a collection, -1 before any. */
  public long judgedBeforeMillis() {
    return horizon.millis();
  }

  /**
   * {@inheritDoc} Objects whose control a collection promoted (see {@link Followed}) count at their
   * site's judged survival ({@link #survival}).
   */
  @Override
  public Map<SiteKey, Long> liveBytesBySite() {
    horizon.update();
    Map<SiteKey, Double> survival = survival();
    return liveBytesBySite(entry -> counted(entry, survival));
  }

  /**
   * Per site, the share of its judged objects still alive. A collection judges an object or not by
   * the order it copies references in, whatever the object's site and fate, so a site's judged
   * objects say how many of its others live. Every object judged dead since the start counts: a site
   * that lets go of what it kept before (a cache) is taken to keep less of its recent objects than it
   * does, and a site whose judged objects all died (request garbage) keeps none.
   */
  private Map<SiteKey, Double> survival() {
    expungeCollected();
    Map<SiteKey, Long> judgedAlive = new HashMap<>();
    for (int i = 0; i < size; i++) {
      Followed entry = followed[i];
      if (judged(entry) && entry.get() != null) {
        judgedAlive.merge(entry.site, entry.weight, Long::sum);
      }
    }
    Map<SiteKey, Double> survival = new HashMap<>();
    judgedAlive.forEach((site, alive) -> {
      long[] dead = judgedDead.get(site);
      survival.put(site, alive / (double) (alive + (dead == null ? 0 : dead[0])));
    });
    return survival;
  }

  /** The share of an object that counts: whole if judged, its site's survival if only its control was kept. */
  private double counted(Followed entry, Map<SiteKey, Double> survival) {
    if (!horizon.judged(entry.allocatedAt)) {
      return 0;
    }
    return entry.judged() ? 1 : survival.getOrDefault(entry.site, 0.0);
  }

  /** Judged only where both say so: the probes for the stretch of time, the control for the object itself. */
  private boolean judged(Followed entry) {
    return horizon.judged(entry.allocatedAt) && entry.judged();
  }

  /** Bytes still reachable per site, of the followed objects allocated before a moment, judged or not. */
  public Map<SiteKey, Long> liveBytesBySite(long allocatedBeforeMillis) {
    return liveBytesBySite(entry -> entry.allocatedAt < allocatedBeforeMillis ? 1 : 0);
  }

  // Per site, the bytes of the followed objects still reachable, each counted at the share given.
  private Map<SiteKey, Long> liveBytesBySite(ToDoubleFunction<Followed> counted) {
    expungeCollected();
    Map<SiteKey, Long> live = new HashMap<>();
    for (int i = 0; i < size; i++) {
      Followed entry = followed[i];
      long bytes = Math.round(entry.weight * counted.applyAsDouble(entry));
      if (bytes > 0 && entry.get() != null) {
        live.merge(entry.site, bytes, Long::sum);
      }
    }
    return live;
  }

  /**
   * Per site, the bytes of followed objects allocated from {@code fromMillis} (inclusive) to {@code
   * toMillis} (exclusive), JVM uptime, that are still reachable, split into {@code groups} equal
   * spans of allocation time, oldest first; only objects a collection has judged, so that the
   * suspects named are never a busy site's garbage a collection promoted, and those whose control it
   * promoted at their site's judged survival. A leaking site keeps what it allocated at any time; a
   * healthy one only what it allocated lately, or in a burst.
   */
  public Map<SiteKey, long[]> retainedByAllocationTime(long fromMillis, long toMillis, int groups) {
    horizon.update();
    Map<SiteKey, Double> survival = survival();
    return retained(fromMillis, toMillis, groups, entry -> counted(entry, survival));
  }

  // The leak rule's stages count every followed object up to the newest probe cleared, judged one by
  // one or not: leaving out the stretches a collection could not judge would empty a leak's stages
  // there, and a leak would look like bursts.
  private Map<SiteKey, long[]> retained(long fromMillis, long toMillis, int groups, ToDoubleFunction<Followed> counted) {
    expungeCollected();
    Map<SiteKey, long[]> retained = new HashMap<>();
    double span = Math.max(1, toMillis - fromMillis);
    for (int i = 0; i < size; i++) {
      Followed entry = followed[i];
      if (entry.allocatedAt < fromMillis || entry.allocatedAt >= toMillis) {
        continue;
      }
      long bytes = Math.round(entry.weight * counted.applyAsDouble(entry));
      if (bytes <= 0 || entry.get() == null) {
        continue;
      }
      int group = (int) Math.min(groups - 1, (entry.allocatedAt - fromMillis) * groups / span);
      retained.computeIfAbsent(entry.site, site -> new long[groups])[group] += bytes;
    }
    return retained;
  }

  @Override
  public Map<SiteKey, Long> steadilyKept(long windowMillis) {
    long until = horizon.millis();
    Map<SiteKey, Long> kept = new HashMap<>();
    retained(until - windowMillis, until, Retention.STAGES, entry -> 1).forEach((site, stages) -> {
      if (Retention.isSteady(stages)) {
        kept.put(site, Arrays.stream(stages).sum());
      }
    });
    return kept;
  }

  /**
   * {@inheritDoc} The stages span the window's judged part since the first object was followed:
   * stages from before would be empty for every site, a leak's too. Empty while that is less than
   * half the window.
   */
  @Override
  public Map<SiteKey, long[]> keptByStage(long windowMillis) {
    long until = horizon.millis();
    long from = Math.max(until - windowMillis, firstFollowedMillis);
    if (until - from < windowMillis / 2) {
      return Map.of();
    }
    return retained(from, until, Retention.STAGES, entry -> 1);
  }

  @Override
  public long aliveKnownSinceMillis() {
    long since = samplerSinceMillis.getAsLong();
    // The second after the sampler's start: its lump of everything allocated before is counted then.
    return since < 0 ? Long.MAX_VALUE : (Math.floorDiv(since, 1000) + 1) * 1000;
  }

  @Override
  public double aliveAtMostBytes(long fromMillis, long toMillis, double unhookedAtMostBytes) {
    long dropped = droppedEvents.getAsLong();
    if (dropped != droppedSeen) {
      droppedSeen = dropped;
      droppedSeenAtMillis = newestSampleMillis; // the samples' own clock: lost ones were at most this new
    }
    long since = samplerSinceMillis.getAsLong();
    if (since < 0 || since > fromMillis || droppedSeenAtMillis >= fromMillis || !unfollowed.covers(fromMillis)) {
      return Double.POSITIVE_INFINITY;
    }
    expungeCollected();
    long alive = 0;
    for (int i = 0; i < size; i++) {
      Followed entry = followed[i];
      if (entry.allocatedAt >= fromMillis && entry.allocatedAt < toMillis && entry.get() != null) {
        alive += entry.weight;
      }
    }
    return alive + Math.min(unhookedAtMostBytes, unfollowed.between(fromMillis, toMillis));
  }

  public int followedObjects() {
    return size;
  }

  public int thinning() {
    return thinning;
  }

  private void expungeCollected() {
    for (Object ref; (ref = collected.poll()) != null; ) {
      Followed entry = (Followed) ref;
      if (remove(entry)) {
        judgedDead.computeIfAbsent(entry.site, site -> new long[1])[0] += entry.weight;
      }
    }
  }

  /** Whether it was still followed: not let go by thinning. */
  private boolean remove(Followed entry) {
    int slot = entry.slot;
    if (slot < 0 || slot >= size || followed[slot] != entry) {
      return false;
    }
    Followed last = followed[--size];
    followed[slot] = last;
    last.slot = slot;
    followed[size] = null;
    entry.slot = -1;
    return true;
  }

  /** Lets every other followed object go; the rest now stand for twice their bytes. */
  private void thin() {
    thinning++;
    int kept = 0;
    for (int i = 0; i < size; i++) {
      Followed entry = followed[i];
      followed[i] = null;
      if (random.nextBoolean()) {
        entry.weight *= 2;
        entry.slot = kept;
        followed[kept++] = entry;
      } else {
        entry.slot = -1;
        entry.clear();
      }
    }
    size = kept;
  }
}
