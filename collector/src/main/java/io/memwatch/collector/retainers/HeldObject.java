package io.memwatch.collector.retainers;

/**
 * One of the JVM's sampled live objects, read with its path to a GC root.
 *
 * @param allocatedAtMillis JVM uptime when it was allocated
 * @param retainer what keeps it, named by the link of its path that a person would fix (a static
 *     field, or a field of an object of the user's own code): {@code example.Audit.SEEN
 *     (java.util.HashMap)}; null where the JVM found no path within its time limit
 */
public record HeldObject(long allocatedAtMillis, String retainer) {}
