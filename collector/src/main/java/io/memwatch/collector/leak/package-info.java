/**
 * Leak detection: is the live set growing, how fast, and when will it exhaust the heap.
 *
 * <p>The pipeline, one class per step: {@link io.memwatch.collector.leak.GcClassifier} turns each
 * GC event into a reading of the live set, a floor (the old generation was collected) or a ceiling
 * (a young collection, old-generation garbage still counted), and {@code GcReadings} what a sequence
 * of them shows beyond one (Java 17's G1 remarks, which no bean reports); {@link
 * io.memwatch.collector.leak.SawTooth} learns how fast garbage piles up between old collections and
 * takes it off ceilings; {@code LiveSetHistory} keeps per-bucket minima in a fixed ring; {@code
 * TrendFit} fits Theil–Sen lines with Mann–Kendall significance over a ladder of windows ({@code
 * TrendWindow}); {@code GrowthBar} says what counts as growth; {@link
 * io.memwatch.collector.leak.LeakDetector} turns that into a {@link
 * io.memwatch.collector.leak.LeakVerdict} with hysteresis.
 *
 * <p>Everything is fed on the collector thread and timed by the events' own JVM uptime; only the
 * verdict, an immutable record behind a volatile, is read elsewhere.
 */
package io.memwatch.collector.leak;
