package io.memwatch.collector.sites;

import java.lang.ref.WeakReference;

/**
 * Tells when a collection has judged the old generation: marked it whole and cleared the weak
 * references to what died there. Until one has, an object that was promoted and then died looks
 * alive to weak references and to the young collections' readings alike.
 *
 * <p>Measured with a probe: an object held through more young collections than any collector keeps
 * an object young (G1, Parallel and Serial promote after at most 15), then let go, followed weakly.
 * When that reference is cleared, the old generation has been judged: by a full collection, a
 * concurrent cycle's remark (which Java 17's G1 reports to no bean), or a ZGC cycle. Then a new
 * probe starts. A marking that freed next to nothing shows only this way, unless it is reported
 * ({@link #reported}): the probe takes sixteen young collections to age, which a quiet service
 * spreads over many minutes.
 *
 * <p>Not thread-safe: the collector thread owns it.
 */
final class MarkingProbe {
  /** Young collections a probe is held through before it is let go: past every tenuring threshold. */
  static final int HELD_THROUGH = 16;

  private Object held = new Object();
  private WeakReference<Object> released;
  private int collectionsHeld;
  private long marked;

  /** A marking reported as it happened ({@link io.memwatch.collector.events.GcEvent#marking}). */
  void reported() {
    marked++;
  }

  /** After each collection: ages the probe, lets it go when old, and sees whether it was judged. */
  void afterCollection() {
    if (released != null) {
      if (released.get() == null) {
        marked++;
        released = null;
        held = new Object();
        collectionsHeld = 0;
      }
      return;
    }
    if (++collectionsHeld >= HELD_THROUGH) {
      released = new WeakReference<>(held);
      held = null;
    }
  }

  /** How many times the old generation has been seen judged; grows by one each time. */
  long markings() {
    return marked;
  }
}
