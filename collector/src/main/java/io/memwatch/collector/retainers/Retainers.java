package io.memwatch.collector.retainers;

import io.memwatch.collector.sites.LiveGraphWalk;
import io.memwatch.collector.sites.SiteKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What keeps a leak's growth: the sampled objects allocated while the live set grew, grouped by
 * their retainer. The samples carry no weight, so a group's bytes are estimated as its share of those
 * samples times the growth: the JVM picks its samples by allocated bytes, so a share of samples is,
 * in expectation, a share of the bytes allocated then that are still alive. Only samples with a path
 * count, and not those of sites that let go of what they allocated before ({@link
 * LiveGraphWalk#lettingGo}) where others remain: a cache's recent entries were allocated during the
 * growth too, but they only replace the ones it evicted.
 */
public final class Retainers {
  /** A retainer of the growth; {@code share} of the samples allocated during it. */
  public record Retainer(String name, int samples, double share, long estimatedBytes) {}

  private Retainers() {}

  /**
   * The retainers of objects allocated from {@code fromMillis} to {@code toMillis} (JVM uptime) that
   * hold more than a twentieth of those with a path, most samples first.
   */
  public static List<Retainer> of(List<HeldObject> held, long fromMillis, long toMillis, double grownBytes) {
    Set<SiteKey> lettingGo = new LiveGraphWalk(toMillis, held).lettingGo(fromMillis);
    List<HeldObject> growth = held.stream().filter(object -> ofTheGrowth(object, fromMillis, toMillis)).toList();
    List<HeldObject> kept = growth.stream().filter(object -> !lettingGo.contains(object.site())).toList();
    Map<String, Integer> counts = new HashMap<>();
    int total = 0;
    for (HeldObject object : kept.isEmpty() ? growth : kept) {
      total++;
      counts.merge(object.retainer(), 1, Integer::sum);
    }
    List<Retainer> retainers = new ArrayList<>();
    for (Map.Entry<String, Integer> count : counts.entrySet()) {
      // A twentieth of the samples or less is one or two objects: a JDK table that happened to be
      // sampled, not what keeps the growth.
      if (count.getValue() * 20 <= total) {
        continue;
      }
      double share = count.getValue() / (double) total;
      retainers.add(new Retainer(count.getKey(), count.getValue(), share, Math.round(share * Math.max(0, grownBytes))));
    }
    retainers.sort(Comparator.comparingInt(Retainer::samples).reversed().thenComparing(Retainer::name));
    return retainers;
  }

  /** One line for the log: the top three, with their estimates. */
  public static String describe(List<Retainer> retainers, int withPath) {
    if (retainers.isEmpty()) {
      return withPath == 0 ? "no path to a GC root found for the sampled objects of the growth"
          : "no field holds more than a twentieth of the " + withPath + " sampled objects of the growth with a path";
    }
    StringBuilder line = new StringBuilder();
    for (Retainer retainer : retainers.subList(0, Math.min(3, retainers.size()))) {
      if (line.length() > 0) {
        line.append(", ");
      }
      line.append(retainer.name()).append(" holds ").append(retainer.samples()).append(" of ").append(withPath)
          .append(" sampled objects of the growth with a path (about ").append(retainer.estimatedBytes() >> 20).append(" MiB)");
    }
    return line.toString();
  }

  /** How many of {@code held} were allocated from {@code fromMillis} to {@code toMillis} and have a path, memwatch's own aside. */
  public static int withPath(List<HeldObject> held, long fromMillis, long toMillis) {
    int total = 0;
    for (HeldObject object : held) {
      total += ofTheGrowth(object, fromMillis, toMillis) ? 1 : 0;
    }
    return total;
  }

  // Allocated during the growth, with a path, and not memwatch's own.
  private static boolean ofTheGrowth(HeldObject object, long fromMillis, long toMillis) {
    return object.retainer() != null && !object.isMemwatchs()
        && object.allocatedAtMillis() >= fromMillis && object.allocatedAtMillis() < toMillis;
  }
}
