package dev.moat.execd;

import dev.moat.protocol.Metrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns what the cgroup and the host say into the sandbox's {@link Metrics}. The figures:
 *
 * <ul>
 *   <li>{@code cpu_count} = the cgroup's CPU quota in cores when it has one, else the online CPUs;
 *   <li>{@code cpu_used_pct} = cgroup CPU time used during the interval / (interval × cpu_count) × 100, between 0 and
 *       100. Without CPU accounting in the cgroup, the machine's busy time from {@code /proc/stat} is used instead;
 *   <li>{@code mem_total_mib} = the cgroup's memory limit when it has one below the machine's {@code MemTotal}, else
 *       {@code MemTotal};
 *   <li>{@code mem_used_mib} = the cgroup's memory use minus the page cache the kernel can reclaim at once (the figure
 *       {@code docker stats} shows), or, without a memory cgroup, {@code MemTotal - MemAvailable}; never above
 *       {@code mem_total_mib}.
 * </ul>
 *
 * CPU use is a rate, so it needs two readings. There is no background sampling: each {@link #snapshot()} measures from
 * the previous snapshot when that was recent, and otherwise takes a short sample of its own. Watchers keep their own
 * previous reading with {@link #read()} and {@link #between}.
 */
final class MetricsSampler {

    /** The short sample of a snapshot that has no recent baseline. */
    static final Duration SHORT_SAMPLE = Duration.ofMillis(100);
    /** A baseline older than this describes the past, not now. */
    private static final Duration STALE = Duration.ofSeconds(5);

    private static final double MIB = 1024 * 1024;

    private final CgroupReader cgroup;
    private final HostReader host;
    private final ReentrantLock lock = new ReentrantLock();
    private Reading baseline;
    private Sample latest;

    MetricsSampler(CgroupReader cgroup, HostReader host) {
        this.cgroup = cgroup;
        this.host = host;
    }

    static MetricsSampler system() {
        return new MetricsSampler(CgroupReader.system(), HostReader.system());
    }

    /** Everything read at one instant; CPU time is cumulative, so a rate needs two readings. */
    record Reading(
            long nanoTime,
            long epochMillis,
            double cpuCount,
            Optional<Long> cpuUsageNanos,
            long memoryTotalBytes,
            long memoryUsedBytes) {}

    /** A reading with the CPU use measured over the interval that ended at it. */
    record Sample(Reading reading, double cpuUsedPct) {
        Metrics metrics() {
            return new Metrics(
                    round(reading.cpuCount()),
                    round(cpuUsedPct),
                    round(reading.memoryTotalBytes() / MIB),
                    round(reading.memoryUsedBytes() / MIB),
                    reading.epochMillis());
        }
    }

    Reading read() {
        CgroupReader.Figures figures = cgroup.read();
        HostReader.Memory memory = host.memory();
        double cpuCount = figures.cpuLimitCores().orElseGet(() -> (double) host.onlineCpus());
        Optional<Long> cpuUsage = figures.cpuUsageNanos().or(host::busyCpuNanos);
        long hostTotal = memory.totalBytes().orElse(0L);
        long total = figures.memoryLimitBytes()
                .filter(limit -> limit < hostTotal || hostTotal == 0)
                .orElse(hostTotal);
        long used = figures.memoryUsedBytes()
                .or(() -> memory.availableBytes().map(available -> hostTotal - available))
                .orElse(0L);
        return new Reading(
                System.nanoTime(),
                System.currentTimeMillis(),
                cpuCount,
                cpuUsage,
                total,
                Math.clamp(used, 0, Math.max(total, 0)));
    }

    /** The sample at {@code later}, with the CPU use since {@code earlier}. */
    static Sample between(Reading earlier, Reading later) {
        double pct = 0;
        long elapsed = later.nanoTime() - earlier.nanoTime();
        if (earlier.cpuUsageNanos().isPresent()
                && later.cpuUsageNanos().isPresent()
                && elapsed > 0
                && later.cpuCount() > 0) {
            long used = later.cpuUsageNanos().get() - earlier.cpuUsageNanos().get();
            pct = Math.clamp(used * 100.0 / (elapsed * later.cpuCount()), 0, 100);
        }
        return new Sample(later, pct);
    }

    /** The sandbox's figures now, the CPU use measured since the previous snapshot or over a short sample. */
    Sample snapshot() throws InterruptedException {
        lock.lock();
        try {
            Reading now = read();
            if (baseline != null) {
                long age = now.nanoTime() - baseline.nanoTime();
                if (age >= SHORT_SAMPLE.toNanos() && age <= STALE.toNanos()) {
                    return remember(between(baseline, now));
                }
                if (age < SHORT_SAMPLE.toNanos() && latest != null) {
                    // asked again at once (or by many at once): the last rate is as fresh as a new one would be
                    return new Sample(now, latest.cpuUsedPct());
                }
            }
            Thread.sleep(SHORT_SAMPLE);
            return remember(between(now, read()));
        } finally {
            lock.unlock();
        }
    }

    private Sample remember(Sample sample) {
        baseline = sample.reading();
        latest = sample;
        return sample;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
