package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a sandbox's OCI {@code config.json}: the process, the mounts, the namespaces and the hardening every sandbox
 * gets. Hardening, from Docker's defaults: own pid, mount, ipc, uts, cgroup and network (loopback only) namespaces and
 * a user namespace where the host allows it; Docker's default capabilities without {@code NET_RAW};
 * {@code no_new_privileges}; the {@link SeccompProfile}; masked and read-only /proc and /sys paths; /sys and the
 * cgroup file system read-only; no devices beyond the standard ones; nosuid and nodev on every bind mount.
 */
final class ContainerConfig {

    /** Docker's default capability set without NET_RAW (no raw or packet sockets). */
    static final List<String> CAPABILITIES = List.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FSETID",
            "CAP_FOWNER",
            "CAP_MKNOD",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETFCAP",
            "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_KILL",
            "CAP_AUDIT_WRITE");

    static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi",
            "/proc/asound",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware",
            "/sys/devices/virtual/powercap");

    static final List<String> READONLY_PATHS =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private static final long CPU_PERIOD_MICROS = 100_000;
    /** Open files per process: plenty for execd and user programs, capped by what the runtime may grant. */
    private static final long MAX_OPEN_FILES = 65536;

    private static final long ID_RANGE = UidRanges.SIZE;
    private static final List<String> BIND_DEFAULTS = List.of("rbind", "nosuid", "nodev");

    private ContainerConfig() {}

    static void write(SandboxPlan plan, Path file, ObjectMapper json) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        json.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), build(plan, json));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static ObjectNode build(SandboxPlan plan, ObjectMapper json) {
        ObjectNode config = json.createObjectNode();
        config.put("ociVersion", "1.0.2");
        process(config.putObject("process"), plan);
        config.putObject("root").put("path", plan.rootfs().toString()).put("readonly", false);
        config.put("hostname", plan.id());
        mounts(config.putArray("mounts"), plan);
        ObjectNode annotations = config.putObject("annotations");
        plan.annotations().forEach(annotations::put);
        linux(config.putObject("linux"), plan, json);
        return config;
    }

    private static void process(ObjectNode process, SandboxPlan plan) {
        process.put("terminal", false);
        process.putObject("user").put("uid", 0).put("gid", 0);
        strings(process.putArray("args"), plan.args());
        strings(process.putArray("env"), plan.env());
        process.put("cwd", plan.cwd());
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(capabilities.putArray(set), CAPABILITIES);
        }
        long files = Math.min(MAX_OPEN_FILES, HostLimits.openFilesHardLimit());
        process.putArray("rlimits")
                .addObject()
                .put("type", "RLIMIT_NOFILE")
                .put("hard", files)
                .put("soft", files);
        process.put("noNewPrivileges", true);
    }

    private static void mounts(ArrayNode mounts, SandboxPlan plan) {
        mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(
                mounts,
                "/dev/pts",
                "devpts",
                "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
        mount(mounts, "/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "size=" + plan.tmpBytes()));
        bind(mounts, plan.runtimeDirectory(), "/opt/moat", true);
        bind(mounts, plan.runDirectory(), "/run/moat", false);
        for (SandboxPlan.BindMount mount : plan.mounts()) {
            bind(mounts, mount.source(), mount.destination(), mount.readOnly());
        }
    }

    private static void bind(ArrayNode mounts, Path source, String destination, boolean readOnly) {
        List<String> options = new java.util.ArrayList<>(BIND_DEFAULTS);
        options.add(readOnly ? "ro" : "rw");
        mount(mounts, destination, "bind", source.toString(), options);
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        ObjectNode mount = mounts.addObject();
        mount.put("destination", destination).put("type", type).put("source", source);
        strings(mount.putArray("options"), options);
    }

    private static void linux(ObjectNode linux, SandboxPlan plan, ObjectMapper json) {
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) {
            namespaces.addObject().put("type", type);
        }
        plan.hostUidBase().ifPresent(base -> {
            namespaces.addObject().put("type", "user");
            for (String field : List.of("uidMappings", "gidMappings")) {
                linux.putArray(field)
                        .addObject()
                        .put("containerID", 0)
                        .put("hostID", base)
                        .put("size", ID_RANGE);
            }
        });
        linux.put("cgroupsPath", Cgroups.path(plan.id()));
        resources(linux.putObject("resources"), plan);
        linux.set("seccomp", SeccompProfile.forHost(json));
        strings(linux.putArray("maskedPaths"), MASKED_PATHS);
        strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
    }

    private static void resources(ObjectNode resources, SandboxPlan plan) {
        resources.putArray("devices").addObject().put("allow", false).put("access", "rwm");
        if (plan.limits().memoryBytes() > 0) {
            resources.putObject("memory").put("limit", plan.limits().memoryBytes());
        }
        if (plan.limits().cpuMillis() > 0) {
            resources
                    .putObject("cpu")
                    .put("quota", plan.limits().cpuMillis() * CPU_PERIOD_MICROS / 1000)
                    .put("period", CPU_PERIOD_MICROS);
        }
        if (plan.limits().pids() > 0) {
            resources.putObject("pids").put("limit", plan.limits().pids());
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
