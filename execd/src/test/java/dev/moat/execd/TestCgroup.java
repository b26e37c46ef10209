package dev.moat.execd;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A cgroup made for one test as a child of this JVM's own cgroup (v1 or v2, whichever holds the cpu and memory
 * controllers), with a CPU quota, a high CPU weight (so that a busy machine does not starve it) and a memory limit.
 * Processes are moved in by pid; the cgroup is removed on close. Needs root; the test is skipped, with the reason, where
 * cgroups cannot be made.
 */
final class TestCgroup implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final List<Path> directories;

    private TestCgroup(List<Path> directories) {
        this.directories = directories;
    }

    static TestCgroup create(double cores, long memoryBytes) throws IOException {
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")), "making cgroups needs root; run the tests as root");
        String name = "moat-test-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        CgroupReader.Layout layout = CgroupReader.system().layout();
        if (layout.cpu().isPresent()
                && layout.cpuacct().isPresent()
                && layout.memory().isPresent()) {
            Set<Path> parents = new LinkedHashSet<>(List.of(
                    layout.cpu().get().directory(),
                    layout.cpuacct().get().directory(),
                    layout.memory().get().directory()));
            Path cpu = layout.cpu().get().directory().resolve(name);
            Path memory = layout.memory().get().directory().resolve(name);
            return configured(new TestCgroup(make(parents, name)), () -> {
                write(cpu.resolve("cpu.cfs_period_us"), "100000");
                write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(Math.round(cores * 100000)));
                write(cpu.resolve("cpu.shares"), "10240");
                write(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
            });
        }
        Assumptions.assumeTrue(layout.unified().isPresent(), "this host has no cgroup hierarchy with cpu and memory");
        Path parent = layout.unified().get().directory();
        try {
            write(parent.resolve("cgroup.subtree_control"), "+cpu +memory");
        } catch (IOException e) {
            Assumptions.abort("cannot enable the cpu and memory controllers below " + parent + ": " + e);
        }
        Path directory = parent.resolve(name);
        return configured(new TestCgroup(make(Set.of(parent), name)), () -> {
            write(directory.resolve("cpu.max"), Math.round(cores * 100000) + " 100000");
            write(directory.resolve("cpu.weight"), "10000");
            write(directory.resolve("memory.max"), Long.toString(memoryBytes));
        });
    }

    private interface Settings {
        void apply() throws IOException;
    }

    private static TestCgroup configured(TestCgroup cgroup, Settings settings) throws IOException {
        try {
            settings.apply();
            return cgroup;
        } catch (IOException | RuntimeException e) {
            cgroup.close();
            throw e;
        }
    }

    private static List<Path> make(Set<Path> parents, String name) throws IOException {
        List<Path> made = new ArrayList<>();
        for (Path parent : parents) {
            Path directory = parent.resolve(name);
            try {
                Files.createDirectory(directory);
            } catch (IOException e) {
                new TestCgroup(made).close();
                Assumptions.abort("cannot make a cgroup in " + parent + ": " + e);
            }
            made.add(directory);
        }
        return made;
    }

    /** Moves the process (all its threads) into this cgroup. */
    void add(long pid) throws IOException {
        for (Path directory : directories) {
            write(directory.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /** Removes the cgroup once the processes in it have exited. */
    @Override
    public void close() {
        for (Path directory : directories) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                Files.deleteIfExists(directory);
                return true;
            });
        }
    }
}
