package dev.moat.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Timings in milliseconds, and their percentiles (nearest rank); safe to add to from several threads. An empty set's
 * percentiles are NaN.
 */
final class Samples {

    private final List<Double> millis = Collections.synchronizedList(new ArrayList<>());

    void add(double value) {
        millis.add(value);
    }

    /** Adds the time since {@code startNanos} (a {@link System#nanoTime()} reading). */
    void addSince(long startNanos) {
        add((System.nanoTime() - startNanos) / 1e6);
    }

    int size() {
        return millis.size();
    }

    boolean isEmpty() {
        return millis.isEmpty();
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }

    double percentile(double percent) {
        List<Double> sorted = sorted();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    double min() {
        return sorted().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    double max() {
        return sorted().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** {@code p50 1.23 ms   p99 4.56 ms   (n=300)}. */
    String describe() {
        return String.format(Locale.ROOT, "p50 %8.2f ms   p99 %8.2f ms   (n=%d)", p50(), p99(), size());
    }

    private List<Double> sorted() {
        synchronized (millis) {
            return millis.stream().sorted().toList();
        }
    }
}
