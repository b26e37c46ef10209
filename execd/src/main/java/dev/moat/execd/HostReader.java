package dev.moat.execd;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads what the kernel says about the whole machine, for when execd's cgroup does not tell: memory from
 * {@code /proc/meminfo}, online CPUs from {@code /sys/devices/system/cpu/online}, busy CPU time from
 * {@code /proc/stat}. Nothing here throws for a missing or unreadable file.
 */
final class HostReader {

    /** {@code /proc/stat} counts in USER_HZ ticks, 100 per second on every Linux architecture Moat runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Path root;

    /** A reader of the files under {@code root}: {@code /} except in tests. */
    HostReader(Path root) {
        this.root = root;
    }

    static HostReader system() {
        return new HostReader(Path.of("/"));
    }

    /** {@code MemTotal} and {@code MemAvailable} in bytes. */
    record Memory(Optional<Long> totalBytes, Optional<Long> availableBytes) {}

    Memory memory() {
        Path meminfo = root.resolve("proc/meminfo");
        return new Memory(kibibytes(meminfo, "MemTotal:"), kibibytes(meminfo, "MemAvailable:"));
    }

    private static Optional<Long> kibibytes(Path meminfo, String key) {
        // lines read "MemTotal:       24683656 kB"
        return KernelFiles.field(meminfo, key).map(kib -> kib * 1024);
    }

    /** The number of online CPUs, from a list such as {@code 0-3,8-11}; the JVM's count when the file is missing. */
    int onlineCpus() {
        return KernelFiles.read(root.resolve("sys/devices/system/cpu/online"))
                .flatMap(HostReader::countCpuList)
                .orElseGet(() -> Runtime.getRuntime().availableProcessors());
    }

    static Optional<Integer> countCpuList(String list) {
        int count = 0;
        try {
            for (String range : list.trim().split(",")) {
                String[] bounds = range.split("-");
                int first = Integer.parseInt(bounds[0].trim());
                int last = bounds.length > 1 ? Integer.parseInt(bounds[1].trim()) : first;
                count += last - first + 1;
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return count > 0 ? Optional.of(count) : Optional.empty();
    }

    /** CPU time spent on anything but idle and I/O wait since boot, over all CPUs, in nanoseconds. */
    Optional<Long> busyCpuNanos() {
        return KernelFiles.read(root.resolve("proc/stat")).flatMap(stat -> {
            for (String line : stat.split("\n")) {
                if (line.startsWith("cpu ")) {
                    return busyTicks(line.substring(4).trim().split("\\s+")).map(ticks -> ticks * NANOS_PER_TICK);
                }
            }
            return Optional.empty();
        });
    }

    /** user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already in user and nice. */
    private static Optional<Long> busyTicks(String[] fields) {
        if (fields.length < 8) {
            return Optional.empty();
        }
        try {
            long busy = 0;
            for (int i : new int[] {0, 1, 2, 5, 6, 7}) {
                busy += Long.parseLong(fields[i]);
            }
            return Optional.of(busy);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
