package dev.moat.execd;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the limits and usage of execd's own cgroup, on cgroup v2 (unified), v1, and "hybrid" hosts (v1 controllers plus
 * a v2 mount that holds none of them).
 *
 * <p>execd's cgroup comes from {@code /proc/self/cgroup} and is located under the matching mount of
 * {@code /proc/self/mountinfo}; inside a container with its own cgroup namespace that is simply the mount point. A
 * controller is read from the v1 hierarchy it is mounted in, else from the v2 hierarchy. Limits are the smallest one
 * set on the cgroup or any ancestor visible through the mount. Every figure is empty when its controller or file is not
 * there; nothing here throws for a missing or unreadable file.
 *
 * <ul>
 *   <li>CPU limit in cores: v2 {@code cpu.max} quota / period; v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}
 *       (a quota of -1 or "max" is no limit).
 *   <li>CPU usage in nanoseconds since the cgroup was created: v2 {@code cpu.stat usage_usec}; v1
 *       {@code cpuacct.usage}.
 *   <li>Memory limit in bytes: v2 {@code memory.max}; v1 {@code memory.limit_in_bytes} and
 *       {@code hierarchical_memory_limit}.
 *   <li>Memory in use in bytes, without the page cache the kernel can reclaim at once (what {@code docker stats} shows):
 *       v2 {@code memory.current - inactive_file}; v1 {@code memory.usage_in_bytes - total_inactive_file}.
 * </ul>
 *
 */
final class CgroupReader {

    private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private final Path root;

    /** A reader of the cgroup files under {@code root}: {@code /} except in tests. */
    CgroupReader(Path root) {
        this.root = root;
    }

    /** What the cgroup says; each figure is empty when the cgroup does not tell. */
    record Figures(
            Optional<Double> cpuLimitCores,
            Optional<Long> cpuUsageNanos,
            Optional<Long> memoryLimitBytes,
            Optional<Long> memoryUsedBytes) {}

    /** One cgroup file system mount: its root inside the hierarchy, where it is mounted, and for v1 its controllers. */
    record Mount(String hierarchyRoot, Path mountPoint, boolean unified, Set<String> controllers) {}

    /** One line of {@code /proc/self/cgroup}: the v1 controllers of a hierarchy (none for v2) and the cgroup's path. */
    record Membership(Set<String> controllers, String path) {
        boolean unified() {
            return controllers.isEmpty();
        }
    }

    /** A cgroup directory and the top of its hierarchy as far as this process can see it. */
    record Cgroup(Path directory, Path top) {}

    /** Where this process's cgroup lies for each controller that is read; empty where the host has none. */
    record Layout(Optional<Cgroup> cpu, Optional<Cgroup> cpuacct, Optional<Cgroup> memory, Optional<Cgroup> unified) {}

    static CgroupReader system() {
        return new CgroupReader(Path.of("/"));
    }

    /** Reads the figures now. Cheap: a handful of small files. */
    Figures read() {
        Layout layout = layout();
        Optional<Cgroup> cpu = layout.cpu();
        Optional<Cgroup> cpuacct = layout.cpuacct();
        Optional<Cgroup> memory = layout.memory();
        Optional<Cgroup> unified = layout.unified();
        return new Figures(
                cpu.flatMap(this::v1CpuLimit).or(() -> unified.flatMap(this::v2CpuLimit)),
                cpuacct.flatMap(c -> readLong(c.directory().resolve("cpuacct.usage")))
                        .or(() -> unified.flatMap(
                                c -> KernelFiles.field(c.directory().resolve("cpu.stat"), "usage_usec")
                                        .map(micros -> micros * 1000))),
                memory.flatMap(this::v1MemoryLimit).or(() -> unified.flatMap(this::v2MemoryLimit)),
                memory.flatMap(c -> usedMemory(c, "memory.usage_in_bytes", "total_inactive_file"))
                        .or(() -> unified.flatMap(c -> usedMemory(c, "memory.current", "inactive_file"))));
    }

    /** Finds this process's cgroups from {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}. */
    Layout layout() {
        List<Mount> mounts = mounts(readFile("proc/self/mountinfo").orElse(""));
        List<Membership> memberships = memberships(readFile("proc/self/cgroup").orElse(""));
        return new Layout(
                v1(mounts, memberships, "cpu"),
                v1(mounts, memberships, "cpuacct"),
                v1(mounts, memberships, "memory"),
                v2(mounts, memberships));
    }

    private Optional<Double> v1CpuLimit(Cgroup cgroup) {
        return smallest(cgroup, directory -> {
            Optional<Long> quota = readLong(directory.resolve("cpu.cfs_quota_us"));
            Optional<Long> period = readLong(directory.resolve("cpu.cfs_period_us"));
            return cores(quota, period);
        });
    }

    private Optional<Double> v2CpuLimit(Cgroup cgroup) {
        return smallest(
                cgroup,
                directory -> KernelFiles.read(directory.resolve("cpu.max")).flatMap(line -> {
                    String[] fields = line.trim().split("\\s+");
                    return fields.length == 2
                            ? cores(KernelFiles.parseLong(fields[0]), KernelFiles.parseLong(fields[1]))
                            : Optional.empty();
                }));
    }

    private static Optional<Double> cores(Optional<Long> quota, Optional<Long> period) {
        if (quota.isEmpty() || period.isEmpty() || quota.get() <= 0 || period.get() <= 0) {
            return Optional.empty();
        }
        return Optional.of((double) quota.get() / period.get());
    }

    private Optional<Long> v1MemoryLimit(Cgroup cgroup) {
        Optional<Long> visible = smallest(cgroup, directory -> readLong(directory.resolve("memory.limit_in_bytes")));
        // the kernel's own view also covers ancestors above the mount that this process cannot see
        Optional<Long> hierarchical =
                KernelFiles.field(cgroup.directory().resolve("memory.stat"), "hierarchical_memory_limit");
        return hierarchical.map(h -> visible.map(v -> Math.min(v, h)).orElse(h)).or(() -> visible);
    }

    private Optional<Long> v2MemoryLimit(Cgroup cgroup) {
        return smallest(cgroup, directory -> readLong(directory.resolve("memory.max")));
    }

    private Optional<Long> usedMemory(Cgroup cgroup, String usageFile, String inactiveFileKey) {
        return readLong(cgroup.directory().resolve(usageFile)).map(usage -> {
            long inactive = KernelFiles.field(cgroup.directory().resolve("memory.stat"), inactiveFileKey)
                    .orElse(0L);
            return Math.max(0, usage - inactive);
        });
    }

    /** The smallest value found in the cgroup and its ancestors up to the top of the mount. */
    private static <T extends Comparable<T>> Optional<T> smallest(Cgroup cgroup, Function<Path, Optional<T>> valueIn) {
        T smallest = null;
        for (Path directory = cgroup.directory();
                directory != null && directory.startsWith(cgroup.top());
                directory = directory.getParent()) {
            Optional<T> value = valueIn.apply(directory);
            if (value.isPresent() && (smallest == null || value.get().compareTo(smallest) < 0)) {
                smallest = value.get();
            }
        }
        return Optional.ofNullable(smallest);
    }

    private Optional<Cgroup> v1(List<Mount> mounts, List<Membership> memberships, String controller) {
        Optional<Mount> mount = mounts.stream()
                .filter(m -> !m.unified() && m.controllers().contains(controller))
                .findFirst();
        Optional<Membership> membership = memberships.stream()
                .filter(m -> m.controllers().contains(controller))
                .findFirst();
        return mount.flatMap(m -> membership.map(member -> locate(m, member.path())));
    }

    private Optional<Cgroup> v2(List<Mount> mounts, List<Membership> memberships) {
        Optional<Mount> mount = mounts.stream().filter(Mount::unified).findFirst();
        Optional<Membership> membership =
                memberships.stream().filter(Membership::unified).findFirst();
        return mount.flatMap(m -> membership.map(member -> locate(m, member.path())));
    }

    /**
     * Where the cgroup at {@code path} (as {@code /proc/self/cgroup} names it) lies under the mount. When the mount shows
     * only part of the hierarchy and the path is outside it, or the directory does not exist (a container without a
     * cgroup namespace that sees the host's path but has its own cgroup mounted), the mount point itself is the cgroup.
     */
    private Cgroup locate(Mount mount, String path) {
        Path top = under(mount.mountPoint().toString());
        String relative = null;
        if (mount.hierarchyRoot().equals("/")) {
            relative = path;
        } else if (path.equals(mount.hierarchyRoot()) || path.startsWith(mount.hierarchyRoot() + "/")) {
            relative = path.substring(mount.hierarchyRoot().length());
        }
        if (relative == null || relative.contains("/..")) {
            return new Cgroup(top, top);
        }
        Path directory = top.resolve(relative.replaceFirst("^/+", "")).normalize();
        return Files.isDirectory(directory) ? new Cgroup(directory, top) : new Cgroup(top, top);
    }

    static List<Mount> mounts(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] left = line.substring(0, separator).split(" ");
            String[] right = line.substring(separator + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            boolean unified = right[0].equals("cgroup2");
            if (unified || right[0].equals("cgroup")) {
                Set<String> controllers = unified ? Set.of() : Set.copyOf(List.of(right[2].split(",")));
                try {
                    mounts.add(new Mount(unescape(left[3]), Path.of(unescape(left[4])), unified, controllers));
                } catch (InvalidPathException e) {
                    // a mount point no path can name is no cgroup execd can read
                }
            }
        }
        return mounts;
    }

    static List<Membership> memberships(String procSelfCgroup) {
        List<Membership> memberships = new ArrayList<>();
        for (String line : procSelfCgroup.split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3) {
                Set<String> controllers = fields[1].isEmpty() ? Set.of() : Set.copyOf(List.of(fields[1].split(",")));
                memberships.add(new Membership(controllers, fields[2].trim()));
            }
        }
        return memberships;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal ({@code \040}). */
    private static String unescape(String field) {
        return OCTAL_ESCAPE
                .matcher(field)
                .replaceAll(m -> Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
    }

    private Path under(String absolute) {
        return root.resolve(absolute.replaceFirst("^/+", ""));
    }

    private Optional<String> readFile(String absolute) {
        return KernelFiles.read(under(absolute));
    }

    private static Optional<Long> readLong(Path file) {
        return KernelFiles.readLong(file);
    }
}
