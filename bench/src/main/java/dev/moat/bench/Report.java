package dev.moat.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a benchmark found, printed at the end in one piece: figure rows, then each target as met or missed. */
final class Report {

    private record Target(String name, boolean met, String detail) {}

    private final List<String> lines = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();

    void heading(String text) {
        lines.add("");
        lines.add(text);
    }

    void row(String label, Samples samples) {
        lines.add(String.format(Locale.ROOT, "  %-46s %s", label, samples.describe()));
    }

    /** A row with its p50 and p99 as multiples of the floor's. */
    void row(String label, Samples samples, Samples floor) {
        lines.add(String.format(
                Locale.ROOT,
                "  %-46s %s   %.1fx / %.1fx the floor",
                label,
                samples.describe(),
                samples.p50() / floor.p50(),
                samples.p99() / floor.p99()));
    }

    void line(String format, Object... args) {
        lines.add("  " + String.format(Locale.ROOT, format, args));
    }

    void target(String name, boolean met, String format, Object... args) {
        targets.add(new Target(name, met, String.format(Locale.ROOT, format, args)));
    }

    boolean allMet() {
        return targets.stream().allMatch(Target::met);
    }

    void print(PrintStream out) {
        lines.forEach(out::println);
        out.println();
        out.println("targets:");
        for (Target target : targets) {
            out.printf(
                    Locale.ROOT, "  %-7s %-44s %s%n", target.met() ? "met" : "MISSED", target.name(), target.detail());
        }
    }
}
