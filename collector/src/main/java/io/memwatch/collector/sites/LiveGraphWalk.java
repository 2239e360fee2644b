package io.memwatch.collector.sites;

import io.memwatch.collector.retainers.HeldObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one search of the JVM's leak profiler from the GC roots found of its sampled objects
 * ({@link OldObjects#recent}): which of them are still reachable. Until the old generation is
 * collected, an object that was promoted and died there looks alive to the heap's readings and to
 * weak references alike; only such a walk tells it from a live one. A cache turning over lets go of
 * what it kept a while ago, a leak never does.
 *
 * @param atMillis JVM uptime of the walk
 * @param objects the sampled objects, with their sites and reachability
 */
public record LiveGraphWalk(long atMillis, List<HeldObject> objects) {
  /** No walk. */
  public static final LiveGraphWalk NONE = new LiveGraphWalk(Long.MIN_VALUE, List.of());
  /** A walk this old still speaks for the heap: leaks and caches change over minutes. */
  public static final long FRESH_MILLIS = 45_000;
  // Fewer sampled objects of a site than this say nothing of it: a couple of stragglers.
  static final int MIN_OBJECTS = 4;
  // A site that kept no more than this share of what it allocated before a moment let go of it. A
  // leak keeps all of it; a cache whose entries outlive the window keeps the youngest part.
  static final double LET_GO_AT_MOST = 0.5;
  // So many sampled objects, none reached, say a stretch of allocation died, not a few stragglers.
  static final int NONE_REACHED_OF = 8;
  // So many reachable objects of the hooks' sites in a window make a sample of what they kept.
  static final int HOOKED_SAMPLE_AT_LEAST = 8;
  // The share of a window's reachable objects that sites letting go must hold to explain its climb.
  static final double TURNOVER_AT_LEAST = 0.75;

  /** Whether this walk was made at most {@link #FRESH_MILLIS} before {@code nowMillis}. */
  public boolean freshAt(long nowMillis) {
    return atMillis != Long.MIN_VALUE && nowMillis - atMillis <= FRESH_MILLIS;
  }

  /** Of a site's sampled objects from a stretch of time, how many the walk reached. */
  public record Reached(int reached, int sampled) {
    /** The share reached; NaN where the walk sampled too few to say. */
    public double share() {
      return sampled < MIN_OBJECTS ? Double.NaN : reached / (double) sampled;
    }
  }

  /** What the walk reached of {@code site}'s sampled objects allocated from {@code fromMillis} to {@code toMillis}. */
  public Reached reached(SiteKey site, long fromMillis, long toMillis) {
    int sampled = 0;
    int reached = 0;
    for (HeldObject object : objects) {
      if (site.equals(object.site()) && object.allocatedAtMillis() >= fromMillis && object.allocatedAtMillis() < toMillis) {
        sampled++;
        reached += object.reachable() ? 1 : 0;
      }
    }
    return new Reached(reached, sampled);
  }

  /**
   * At most which share of what the hooks' sites kept of their allocations from {@code fromMillis}
   * to {@code toMillis} is {@code site}'s, by this walk: of the reachable objects of hooked sites it
   * sampled from then, {@code (site's + 1) / (all + 1)}; 1 where it sampled fewer than {@link
   * #HOOKED_SAMPLE_AT_LEAST}. The JVM samples the hooks' allocations as it does the rest, by bytes;
   * the followed objects can count as kept what a busy site promoted and let go (weak references a
   * young collection did not clear), which a walk does not reach.
   */
  public double hookedKeptShareAtMost(SiteKey site, long fromMillis, long toMillis) {
    int all = 0;
    int ofSite = 0;
    for (HeldObject object : objects) {
      long at = object.allocatedAtMillis();
      if (isHosts(object) && object.hooked() && object.reachable() && at >= fromMillis && at < toMillis) {
        all++;
        ofSite += site.equals(object.site()) ? 1 : 0;
      }
    }
    return all < HOOKED_SAMPLE_AT_LEAST ? 1 : (ofSite + 1) / (all + 1.0);
  }

  /**
   * At most which share of what sites no hook follows allocated from {@code fromMillis} to {@code
   * toMillis} is still reachable, by this walk's sample of it: {@code 1 / (dead + 1)} where it
   * sampled at least {@link #NONE_REACHED_OF} of those objects dead and reached none but stragglers
   * (room for a leak the sample missed), else 1. A share of samples is no share of bytes: the JVM's
   * sampler hands the allocation a dead sample stood for to the sample before it, so an object that
   * lives among garbage that dies stands for far more than one that lives among objects that live as
   * long (a leak's Strings among requests' garbage, beside a batch's lines): only none reached is
   * clear. A straggler is an object the walk reached alone of its site, the JDK's own state such as
   * the latest collection's report: a leak keeps more than one of what it allocates, and the walk
   * reaches them all. One straggler is allowed per {@link #NONE_REACHED_OF} dead objects.
   */
  public double unhookedReachableAtMost(long fromMillis, long toMillis) {
    int dead = 0;
    int stragglers = 0;
    for (HeldObject object : objects) {
      long at = object.allocatedAtMillis();
      if (isHosts(object) && !object.hooked() && at >= fromMillis && at < toMillis) {
        if (!object.reachable()) {
          dead++;
        } else if (reached(object.site(), Long.MIN_VALUE, Long.MAX_VALUE).reached() == 1) {
          stragglers++;
        } else {
          return 1;
        }
      }
    }
    return dead >= NONE_REACHED_OF && stragglers * NONE_REACHED_OF <= dead ? 1 / (dead + 1.0) : 1;
  }

  /**
   * Whether this walk sampled at least {@link #NONE_REACHED_OF} objects that sites no hook follows
   * allocated from {@code fromMillis} to {@code toMillis}: enough for {@link #unhookedReachableAtMost}
   * to say what became of them.
   */
  public boolean judgesUnhooked(long fromMillis, long toMillis) {
    int sampled = 0;
    for (HeldObject object : objects) {
      long at = object.allocatedAtMillis();
      sampled += isHosts(object) && !object.hooked() && at >= fromMillis && at < toMillis ? 1 : 0;
    }
    return sampled >= NONE_REACHED_OF;
  }

  /**
   * The sites that let go of what they allocated before {@code beforeMillis}: of at least {@link
   * #MIN_OBJECTS} of their sampled objects from then, the walk reached at most {@link
   * #LET_GO_AT_MOST}. A leak keeps all of it; a cache whose entries outlive the window keeps the
   * youngest part.
   */
  public Set<SiteKey> lettingGo(long beforeMillis) {
    Map<SiteKey, int[]> before = new HashMap<>(); // all, reachable
    for (HeldObject object : objects) {
      if (isHosts(object) && object.allocatedAtMillis() < beforeMillis) {
        int[] counts = before.computeIfAbsent(object.site(), site -> new int[2]);
        counts[0]++;
        counts[1] += object.reachable() ? 1 : 0;
      }
    }
    Set<SiteKey> sites = new HashSet<>();
    before.forEach((site, counts) -> {
      if (counts[0] >= MIN_OBJECTS && counts[1] <= LET_GO_AT_MOST * counts[0]) {
        sites.add(site);
      }
    });
    return sites;
  }

  /**
   * Whether what was allocated from {@code fromMillis} to {@code toMillis} and is still reachable
   * is held mostly ({@link #TURNOVER_AT_LEAST}) by sites that {@link #lettingGo let go} of what they
   * allocated before {@code fromMillis}: a cache turning over, whose evicted entries a climb of the
   * readings is made of, rather than a leak, which keeps what it allocated whenever it did.
   */
  public boolean turnoverExplains(long fromMillis, long toMillis) {
    Set<SiteKey> lettingGo = lettingGo(fromMillis);
    int kept = 0;
    int keptByTurnover = 0;
    for (HeldObject object : objects) {
      long at = object.allocatedAtMillis();
      if (isHosts(object) && at >= fromMillis && at < toMillis && object.reachable()) {
        kept++;
        keptByTurnover += lettingGo.contains(object.site()) ? 1 : 0;
      }
    }
    return kept >= MIN_OBJECTS && keptByTurnover >= TURNOVER_AT_LEAST * kept;
  }

  private static boolean isHosts(HeldObject object) {
    return object.site() != null && !object.isMemwatchs();
  }
}
