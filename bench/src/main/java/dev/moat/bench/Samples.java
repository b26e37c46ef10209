package dev.moat.bench;

import java.util.ArrayList;
import java.util.List;

/** Timings in milliseconds, and their percentiles (nearest rank). */
final class Samples {

    private final List<Double> millis = new ArrayList<>();

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

    double p50() {
        return percentile(50);
    }

    double percentile(int percent) {
        List<Double> sorted = millis.stream().sorted().toList();
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    double min() {
        return millis.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    double max() {
        return millis.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
