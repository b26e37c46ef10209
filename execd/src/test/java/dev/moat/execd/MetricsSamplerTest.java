package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.protocol.Metrics;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The formulas of {@link MetricsSampler} over real-format /proc, /sys and cgroup files under a temporary root. */
class MetricsSamplerTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path root;

    @Test
    void withoutCgroupFiguresTheMachineIsTheSandbox() {
        write(
                "proc/meminfo",
                "MemTotal:        8388608 kB\nMemFree:         1048576 kB\n"
                        + "MemAvailable:    6291456 kB\nBuffers:          102400 kB\n");
        write("sys/devices/system/cpu/online", "0-3,8-11\n");
        write("proc/stat", "cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 50 2 25 500 10 0 1 1 0 0\n");

        MetricsSampler.Reading reading = sampler().read();

        assertThat(reading.cpuCount()).isEqualTo(8.0);
        assertThat(reading.cpuUsageNanos())
                .as("busy ticks, 10 ms each")
                .contains((100 + 5 + 50 + 1 + 2 + 3) * 10_000_000L);
        assertThat(reading.memoryTotalBytes()).isEqualTo(8192 * MIB);
        assertThat(reading.memoryUsedBytes()).isEqualTo((8192 - 6144) * MIB);
    }

    @Test
    void cgroupLimitsBelowTheMachineWin() {
        write("proc/meminfo", "MemTotal:        8388608 kB\nMemAvailable:    6291456 kB\n");
        write("sys/devices/system/cpu/online", "0-7\n");
        cgroupV2("cpu.max", "25000 100000\n", "memory.max", "536870912\n", "memory.current", "104857600\n");

        MetricsSampler.Reading reading = sampler().read();

        assertThat(reading.cpuCount()).isEqualTo(0.25);
        assertThat(reading.memoryTotalBytes()).isEqualTo(512 * MIB);
        assertThat(reading.memoryUsedBytes()).isEqualTo(100 * MIB);
    }

    @Test
    void memoryLimitAboveTheMachineIsNoLimit() {
        write("proc/meminfo", "MemTotal:        1048576 kB\nMemAvailable:     524288 kB\n");
        cgroupV2("memory.max", "9223372036854771712\n", "memory.current", "2147483648\n");

        MetricsSampler.Reading reading = sampler().read();

        assertThat(reading.memoryTotalBytes()).isEqualTo(1024 * MIB);
        assertThat(reading.memoryUsedBytes()).as("never above the total").isEqualTo(1024 * MIB);
    }

    @Test
    void cpuUsedPctIsUsageOverIntervalTimesCpuCount() {
        MetricsSampler.Reading earlier = reading(0, 2.0, 1_000_000_000L);
        MetricsSampler.Reading later = reading(1_000_000_000L, 2.0, 1_500_000_000L);

        assertThat(MetricsSampler.between(earlier, later).cpuUsedPct()).isEqualTo(25.0);
    }

    @Test
    void cpuUsedPctStaysWithinZeroAndHundred() {
        MetricsSampler.Reading start = reading(0, 0.5, 1_000_000_000L);

        assertThat(MetricsSampler.between(start, reading(1_000_000_000L, 0.5, 2_000_000_000L))
                        .cpuUsedPct())
                .as("burst above the quota")
                .isEqualTo(100.0);
        assertThat(MetricsSampler.between(start, reading(1_000_000_000L, 0.5, 0L))
                        .cpuUsedPct())
                .as("counter reset")
                .isZero();
    }

    @Test
    void withoutAnyCpuAccountingCpuUsedPctIsZero() {
        MetricsSampler.Reading earlier = new MetricsSampler.Reading(0, 0, 1, Optional.empty(), MIB, 0);
        MetricsSampler.Reading later = new MetricsSampler.Reading(1_000_000_000L, 1000, 1, Optional.empty(), MIB, 0);

        Metrics metrics = MetricsSampler.between(earlier, later).metrics();

        assertThat(metrics.cpuUsedPct()).isZero();
        assertThat(metrics.memTotalMib()).isEqualTo(1.0);
        assertThat(metrics.timestamp()).isEqualTo(1000);
    }

    @Test
    void snapshotMeasuresWithoutAPreviousCall() throws Exception {
        write("proc/meminfo", "MemTotal:        1048576 kB\nMemAvailable:     524288 kB\n");

        Metrics metrics = sampler().snapshot().metrics();

        assertThat(metrics.memTotalMib()).isEqualTo(1024.0);
        assertThat(metrics.memUsedMib()).isEqualTo(512.0);
        assertThat(metrics.cpuCount()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void onlineCpuListsAreCounted() {
        assertThat(HostReader.countCpuList("0")).contains(1);
        assertThat(HostReader.countCpuList("0-1\n")).contains(2);
        assertThat(HostReader.countCpuList("0,2-3,8-11")).contains(7);
        assertThat(HostReader.countCpuList("")).isEmpty();
        assertThat(HostReader.countCpuList("x-y")).isEmpty();
    }

    private static MetricsSampler.Reading reading(long nanoTime, double cpuCount, long usageNanos) {
        return new MetricsSampler.Reading(nanoTime, 0, cpuCount, Optional.of(usageNanos), MIB, 0);
    }

    private MetricsSampler sampler() {
        return new MetricsSampler(new CgroupReader(root), new HostReader(root));
    }

    private void cgroupV2(String... namesAndContents) {
        write("proc/self/mountinfo", "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        write("proc/self/cgroup", "0::/sandbox\n");
        for (int i = 0; i < namesAndContents.length; i += 2) {
            write("sys/fs/cgroup/sandbox/" + namesAndContents[i], namesAndContents[i + 1]);
        }
    }

    private void write(String relative, String content) {
        TestFiles.write(root.resolve(relative), content);
    }
}
