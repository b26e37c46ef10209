package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup layouts execd meets, as real-format files under a temporary root. */
class CgroupReaderTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path root;

    @Test
    void v2ContainerWithCgroupNamespaceReadsTheMountItself() {
        write("proc/self/mountinfo", """
                1036 1035 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate
                1037 1035 0:31 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
                """);
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cpu.max", "150000 100000\n");
        write("sys/fs/cgroup/cpu.stat", "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n");
        write("sys/fs/cgroup/memory.max", "268435456\n");
        write("sys/fs/cgroup/memory.current", "104857600\n");
        write(
                "sys/fs/cgroup/memory.stat",
                "anon 52428800\nfile 52428800\nactive_file 31457280\n" + "inactive_file 20971520\n");

        CgroupReader.Figures figures = reader().read();

        assertThat(figures.cpuLimitCores()).contains(1.5);
        assertThat(figures.cpuUsageNanos()).contains(123_456_000L);
        assertThat(figures.memoryLimitBytes()).contains(256 * MIB);
        assertThat(figures.memoryUsedBytes()).contains(100 * MIB - 20 * MIB);
    }

    @Test
    void v2HostTakesTheSmallestLimitOfTheCgroupAndItsAncestors() {
        write(
                "proc/self/mountinfo",
                "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9"
                        + " - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
        write("proc/self/cgroup", "0::/moat.slice/sandbox-1\n");
        write("sys/fs/cgroup/cpu.stat", "usage_usec 999\n");
        write("sys/fs/cgroup/moat.slice/cpu.max", "200000 100000\n");
        write("sys/fs/cgroup/moat.slice/memory.max", "1073741824\n");
        write("sys/fs/cgroup/moat.slice/sandbox-1/cpu.max", "max 100000\n");
        write("sys/fs/cgroup/moat.slice/sandbox-1/cpu.stat", "usage_usec 5000000\n");
        write("sys/fs/cgroup/moat.slice/sandbox-1/memory.max", "max\n");
        write("sys/fs/cgroup/moat.slice/sandbox-1/memory.current", "4096\n");

        CgroupReader.Figures figures = reader().read();

        assertThat(figures.cpuLimitCores()).contains(2.0);
        assertThat(figures.cpuUsageNanos()).contains(5_000_000_000L);
        assertThat(figures.memoryLimitBytes()).contains(1024 * MIB);
        assertThat(figures.memoryUsedBytes())
                .as("no memory.stat: nothing to subtract")
                .contains(4096L);
    }

    @Test
    void v1ContainerWithoutCgroupNamespaceFindsItsCgroupAtTheMountPoint() {
        // Docker on a v1 host: /proc/self/cgroup shows the host path, the mount shows only the container's cgroup
        write("proc/self/mountinfo", """
                700 690 0:40 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,cpu,cpuacct
                701 690 0:41 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:18 - cgroup cgroup rw,memory
                702 690 0:42 /docker/abc /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,relatime master:19 - cgroup cgroup rw,pids
                """);
        write("proc/self/cgroup", """
                12:pids:/docker/abc
                9:memory:/docker/abc
                4:cpu,cpuacct:/docker/abc
                1:name=systemd:/docker/abc
                """);
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "987654321\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "536870912\n");
        write("sys/fs/cgroup/memory/memory.usage_in_bytes", "209715200\n");
        write(
                "sys/fs/cgroup/memory/memory.stat",
                "cache 62914560\nrss 146800640\ninactive_file 52428800\n"
                        + "hierarchical_memory_limit 536870912\ntotal_cache 62914560\ntotal_rss 146800640\n"
                        + "total_inactive_file 52428800\n");

        CgroupReader.Figures figures = reader().read();

        assertThat(figures.cpuLimitCores()).contains(0.5);
        assertThat(figures.cpuUsageNanos()).contains(987_654_321L);
        assertThat(figures.memoryLimitBytes()).contains(512 * MIB);
        assertThat(figures.memoryUsedBytes()).contains(200 * MIB - 50 * MIB);
    }

    @Test
    void v1HierarchicalMemoryLimitCoversAncestorsTheMountHides() {
        write("proc/self/mountinfo", "701 690 0:41 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        write("proc/self/cgroup", "9:memory:/\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/memory/memory.stat", "hierarchical_memory_limit 134217728\n");

        assertThat(reader().read().memoryLimitBytes()).contains(128 * MIB);
    }

    @Test
    void hybridHostReadsControllersFromV1AndIgnoresTheEmptyV2Mount() {
        // the layout of this project's build machines: v1 controllers plus a cgroup2 mount without any
        write("proc/self/mountinfo", """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """);
        write("proc/self/cgroup", """
                9:name=systemd:/
                4:memory:/process_api/0e28
                2:cpuacct:/
                1:cpu:/
                0::/
                """);
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpuacct/cpuacct.usage", "483115151109\n");
        write("sys/fs/cgroup/unified/cpu.stat", "usage_usec 474795671\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/memory/process_api/0e28/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/memory/process_api/0e28/memory.usage_in_bytes", "4255744\n");
        write(
                "sys/fs/cgroup/memory/process_api/0e28/memory.stat",
                "cache 1241088\nrss 1785856\n"
                        + "inactive_file 815104\ntotal_cache 1241088\ntotal_rss 1785856\ntotal_inactive_file 815104\n");

        CgroupReader.Figures figures = reader().read();

        assertThat(figures.cpuLimitCores()).as("a quota of -1 is no limit").isEmpty();
        assertThat(figures.cpuUsageNanos())
                .as("from v1 cpuacct, not the v2 root")
                .contains(483_115_151_109L);
        assertThat(figures.memoryLimitBytes()).contains(9_223_372_036_854_771_712L);
        assertThat(figures.memoryUsedBytes()).contains(4_255_744L - 815_104L);
        assertThat(reader().layout().memory().orElseThrow().directory())
                .isEqualTo(root.resolve("sys/fs/cgroup/memory/process_api/0e28"));
    }

    @Test
    void v2RootCgroupWithoutMemoryFilesHasNoMemoryFigures() {
        write("proc/self/mountinfo", "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cpu.stat", "usage_usec 42\n");

        CgroupReader.Figures figures = reader().read();

        assertThat(figures.cpuUsageNanos()).contains(42_000L);
        assertThat(figures.cpuLimitCores()).isEmpty();
        assertThat(figures.memoryLimitBytes()).isEmpty();
        assertThat(figures.memoryUsedBytes()).isEmpty();
    }

    @Test
    void missingOrMalformedFilesGiveNoFiguresInsteadOfFailing() {
        assertThat(reader().read())
                .isEqualTo(new CgroupReader.Figures(
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));

        write(
                "proc/self/mountinfo",
                "garbage\n35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                        + "36 24 0:31 / /sys/fs/odd\\000name rw - cgroup cgroup rw,cpu,cpu\n");
        write("proc/self/cgroup", "nonsense\n3:cpu,cpu:/\n0::/\n");
        write("sys/fs/cgroup/cpu.max", "lots 100000\n");
        write("sys/fs/cgroup/memory.max", "\n");
        write("sys/fs/cgroup/memory.current", "many\n");
        assertThat(reader().read())
                .isEqualTo(new CgroupReader.Figures(
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void mountPointsWithEscapedSpacesAreFound() {
        write("proc/self/mountinfo", "35 24 0:30 / /sys/fs/cgroup\\040x rw - cgroup2 cgroup2 rw\n");
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup x/memory.current", "1024\n");

        assertThat(reader().read().memoryUsedBytes()).contains(1024L);
    }

    @Test
    void cgroupOutsideTheNamespaceFallsBackToTheMountPoint() {
        // a process moved out of its cgroup namespace sees its path relative to the namespace root
        write("proc/self/mountinfo", "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        write("proc/self/cgroup", "0::/../../elsewhere\n");
        write("sys/fs/cgroup/memory.current", "2048\n");

        assertThat(reader().read().memoryUsedBytes()).contains(2048L);
    }

    private CgroupReader reader() {
        return new CgroupReader(root);
    }

    private void write(String relative, String content) {
        TestFiles.write(root.resolve(relative), content);
    }
}
