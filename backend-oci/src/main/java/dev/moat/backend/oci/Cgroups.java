package dev.moat.backend.oci;

import dev.moat.core.spi.ResourceUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The host's cgroup file systems and each sandbox's cgroup in them. Sandboxes live at {@code /moat/<id>} in every
 * hierarchy: on cgroup v2 one directory, on v1 (and the v1+v2 "hybrid" layout) one per controller. The runtime
 * creates and limits them; this class reads them (usage, frozen state, processes) and removes what a crashed runtime
 * left behind.
 */
final class Cgroups {

    static final String PARENT = "moat";
    private static final long V1_UNLIMITED = 0x7FFFFFFFFFFFF000L;

    /** Whether the host runs the unified (v2) hierarchy alone or v1 controllers (possibly with a v2 mount beside). */
    enum Mode {
        V1,
        V2
    }

    private final Mode mode;
    private final Path unified;
    private final Map<String, Path> controllers;
    private final List<Path> hierarchies;

    private Cgroups(Mode mode, Path unified, Map<String, Path> controllers, List<Path> hierarchies) {
        this.mode = mode;
        this.unified = unified;
        this.controllers = Map.copyOf(controllers);
        this.hierarchies = List.copyOf(hierarchies);
    }

    /** Reads the host's cgroup mounts from /proc/self/mountinfo. */
    static Cgroups detect() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    static Cgroups parse(List<String> mountinfo) {
        Path unified = null;
        Map<String, Path> controllers = new HashMap<>();
        Set<Path> hierarchies = new LinkedHashSet<>();
        for (String line : mountinfo) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            Path mountPoint = Path.of(left[4]);
            switch (right[0]) {
                case "cgroup2" -> {
                    unified = mountPoint;
                    hierarchies.add(mountPoint);
                }
                case "cgroup" -> {
                    hierarchies.add(mountPoint);
                    for (String option : right[right.length - 1].split(",")) {
                        controllers.putIfAbsent(option, mountPoint);
                    }
                }
                default -> {}
            }
        }
        Mode mode = controllers.containsKey("memory") ? Mode.V1 : Mode.V2;
        return new Cgroups(mode, unified, controllers, new ArrayList<>(hierarchies));
    }

    Mode mode() {
        return mode;
    }

    /** A one-line account for logs: {@code cgroup v1 (with a v2 mount at /sys/fs/cgroup/unified)}. */
    String describe() {
        if (mode == Mode.V2) {
            return "cgroup v2 at " + unified;
        }
        return "cgroup v1" + (unified == null ? "" : " (with a v2 mount at " + unified + ")");
    }

    /** The {@code linux.cgroupsPath} of a sandbox. */
    static String path(String id) {
        return "/" + PARENT + "/" + id;
    }

    /** Whether any hierarchy still has the sandbox's cgroup directory. */
    boolean exists(String id) {
        return hierarchies.stream()
                .anyMatch(h -> Files.isDirectory(h.resolve(PARENT).resolve(id)));
    }

    /** Every cgroup directory of the sandbox that exists now (for tests and cleanup). */
    List<Path> directories(String id) {
        return hierarchies.stream()
                .map(h -> h.resolve(PARENT).resolve(id))
                .filter(Files::isDirectory)
                .toList();
    }

    /** Processes in the sandbox's cgroup. */
    List<Long> processes(String id) {
        Path directory = mode == Mode.V2 ? unifiedDirectory(id) : controllerDirectory("pids", id);
        return readLines(directory.resolve("cgroup.procs")).stream()
                .filter(s -> !s.isBlank())
                .map(Long::parseLong)
                .toList();
    }

    /** Whether the sandbox's processes are frozen. */
    boolean frozen(String id) {
        if (mode == Mode.V2) {
            return read(unifiedDirectory(id).resolve("cgroup.freeze"))
                    .map("1"::equals)
                    .orElse(false);
        }
        return read(controllerDirectory("freezer", id).resolve("freezer.state"))
                .map("FROZEN"::equals)
                .orElse(false);
    }

    /** What the sandbox uses now; empty when its cgroup is gone. */
    Optional<ResourceUsage> usage(String id) {
        if (!exists(id)) {
            return Optional.empty();
        }
        long now = System.currentTimeMillis();
        if (mode == Mode.V2) {
            Path directory = unifiedDirectory(id);
            long cpu = keyed(directory.resolve("cpu.stat"), "usage_usec") * 1000;
            long memory = number(directory.resolve("memory.current"));
            long limit = number(directory.resolve("memory.max"));
            return Optional.of(new ResourceUsage(cpu, memory, limit, number(directory.resolve("pids.current")), now));
        }
        long cpu = number(controllerDirectory("cpuacct", id).resolve("cpuacct.usage"));
        Path memory = controllerDirectory("memory", id);
        long limit = number(memory.resolve("memory.limit_in_bytes"));
        return Optional.of(new ResourceUsage(
                cpu,
                number(memory.resolve("memory.usage_in_bytes")),
                limit >= V1_UNLIMITED ? 0 : limit,
                number(controllerDirectory("pids", id).resolve("pids.current")),
                now));
    }

    /** How many times the kernel's OOM killer killed a process of the sandbox. */
    long oomKills(String id) {
        Path file = mode == Mode.V2
                ? unifiedDirectory(id).resolve("memory.events")
                : controllerDirectory("memory", id).resolve("memory.oom_control");
        return keyed(file, "oom_kill");
    }

    /** How many CPU periods the sandbox was throttled in because it used up its quota. */
    long cpuThrottledPeriods(String id) {
        Path directory = mode == Mode.V2 ? unifiedDirectory(id) : controllerDirectory("cpu", id);
        return keyed(directory.resolve("cpu.stat"), "nr_throttled");
    }

    /**
     * Kills whatever is left in the sandbox's cgroups and removes the directories (deepest first). For leftovers of a
     * runtime that crashed or was killed; after a clean {@code delete} there is nothing to do.
     */
    void removeLeftovers(String id) throws IOException {
        for (Path directory : directories(id)) {
            List<Path> tree;
            try (Stream<Path> walk = Files.walk(directory)) {
                tree = walk.filter(Files::isDirectory)
                        .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                        .toList();
            }
            for (Path group : tree) {
                for (String pid : readLines(group.resolve("cgroup.procs"))) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                removeDirectory(group);
            }
        }
    }

    /** rmdir of a cgroup fails with EBUSY while killed processes are still exiting: retry briefly. */
    private static void removeDirectory(Path group) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                Files.deleteIfExists(group);
                return;
            } catch (java.nio.file.FileSystemException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("cannot remove cgroup " + group + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while removing cgroup " + group, interrupted);
                }
            }
        }
    }

    private Path unifiedDirectory(String id) {
        return unified.resolve(PARENT).resolve(id);
    }

    private Path controllerDirectory(String controller, String id) {
        Path mount = controllers.get(controller);
        if (mount == null) {
            throw new IllegalStateException(
                    "the cgroup v1 controller '" + controller + "' is not mounted on this host");
        }
        return mount.resolve(PARENT).resolve(id);
    }

    private static long keyed(Path file, String key) {
        return readLines(file).stream()
                .map(line -> line.split("\\s+"))
                .filter(fields -> fields.length == 2 && fields[0].equals(key))
                .mapToLong(fields -> Long.parseLong(fields[1]))
                .findFirst()
                .orElse(0);
    }

    private static long number(Path file) {
        return read(file).filter(v -> !v.equals("max")).map(Long::parseLong).orElse(0L);
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> readLines(Path file) {
        return read(file).map(text -> Arrays.asList(text.split("\n"))).orElse(List.of());
    }
}
