package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.builder.StoredImage;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lays out a sandbox's bundle on the host: the overlay root, the {@code run/} directory for execd's socket, idmapped
 * staging mounts for writable bind mounts, and {@code config.json}. The staging mounts are needed only until the
 * runtime has built the container's mount namespace; {@link #releaseStaging} drops them.
 *
 * <p>Ownership with a user namespace: the sandbox's root is host uid {@code base} of its own range. Writable bind
 * mounts (such as {@code /workspace}) are idmapped so that container uid {@code k} is uid
 * {@link UidRanges#workspaceBase()}{@code + k} on disk, whatever the sandbox's range: a workspace keeps working
 * across sandboxes, and nothing the sandbox writes there is owned by a privileged host user. A writable mount whose
 * top directory belongs to host root is handed to the workspace root so that the sandbox can write in it.
 */
final class BundleBuilder {

    static final String RUNTIME_MOUNT = "/opt/moat";
    static final String RUN_MOUNT = "/run/moat";
    static final String WORKSPACE = "/workspace";
    private static final long DEFAULT_TMP_BYTES = 1L << 30;
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path runtimeDirectory;
    private final UserNamespaces namespaces;
    private final ObjectMapper json;

    BundleBuilder(Path runtimeDirectory, UserNamespaces namespaces, ObjectMapper json) {
        this.runtimeDirectory = runtimeDirectory;
        this.namespaces = namespaces;
        this.json = json;
    }

    /** The namespace mappings a sandbox with host base {@code base} uses (to close them when it is removed). */
    static List<UserNamespaces.Mapping> mappings(long base) {
        return List.of(
                new UserNamespaces.Mapping(0, base, UidRanges.SIZE),
                new UserNamespaces.Mapping(UidRanges.workspaceBase(), base, UidRanges.SIZE));
    }

    void build(SandboxSpec spec, StoredImage image, BundleLayout bundle, SandboxRecord record, ResourceLimits limits)
            throws IOException {
        Optional<Long> base = record.hostUidBase();
        Optional<OverlayRootfs.IdmappedOwner> owner = Optional.empty();
        if (base.isPresent()) {
            List<UserNamespaces.Mapping> mappings = mappings(base.get());
            owner = Optional.of(new OverlayRootfs.IdmappedOwner(namespaces.descriptor(mappings.get(0)), base.get()));
        }
        OverlayRootfs.mount(bundle, image.rootfs(), owner);
        Files.createDirectories(bundle.run());
        if (owner.isPresent()) {
            owner.get().chown(bundle.run());
        }
        List<SandboxPlan.BindMount> mounts = new ArrayList<>();
        for (int i = 0; i < spec.mounts().size(); i++) {
            mounts.add(stage(spec.mounts().get(i), bundle.staging(i), base));
        }
        SandboxPlan plan = new SandboxPlan(
                spec.id(),
                bundle.rootfs(),
                args(spec, image),
                env(spec, image),
                hasWorkspace(spec) ? WORKSPACE : image.config().workdir(),
                limits,
                mounts,
                runtimeDirectory,
                bundle.run(),
                base,
                limits.memoryBytes() > 0 ? Math.min(limits.memoryBytes(), DEFAULT_TMP_BYTES) : DEFAULT_TMP_BYTES,
                annotations(record));
        ContainerConfig.write(plan, bundle.config(), json);
    }

    /** Unmounts the staging mounts: the container's mount namespace holds its own references to them. */
    void releaseStaging(BundleLayout bundle) throws IOException {
        Path staging = bundle.directory().resolve("mounts");
        for (Path mount : LinuxMounts.mountsUnder(staging)) {
            LinuxMounts.unmount(mount);
        }
    }

    private SandboxPlan.BindMount stage(SandboxSpec.Mount mount, Path staging, Optional<Long> base) throws IOException {
        if (mount.readOnly() || base.isEmpty()) {
            return new SandboxPlan.BindMount(mount.source(), mount.target(), mount.readOnly());
        }
        long workspaceRoot = UidRanges.workspaceBase();
        if (Files.isDirectory(mount.source()) && ((Integer) Files.getAttribute(mount.source(), "unix:uid")) == 0) {
            OverlayRootfs.chown(mount.source(), workspaceRoot);
        }
        // A bind mount's mount point must be of the source's kind: a directory for a directory, a file for a file.
        if (Files.isDirectory(mount.source())) {
            Files.createDirectories(staging);
        } else {
            Files.createDirectories(staging.getParent());
            Files.createFile(staging);
        }
        int fd = namespaces.descriptor(mappings(base.get()).get(1));
        LinuxMounts.bindIdmapped(mount.source(), staging, fd);
        return new SandboxPlan.BindMount(staging, mount.target(), false);
    }

    private List<String> args(SandboxSpec spec, StoredImage image) {
        List<String> args = new ArrayList<>(List.of(
                RUNTIME_MOUNT + "/tini", "--", RUNTIME_MOUNT + "/runtime/bin/java", "@" + RUNTIME_MOUNT + "/jvm.args"));
        if (Files.isRegularFile(runtimeDirectory.resolve("execd.aot"))) {
            args.add("-XX:AOTCache=" + RUNTIME_MOUNT + "/execd.aot");
        }
        args.addAll(List.of("-jar", RUNTIME_MOUNT + "/execd.jar", "--socket", RUN_MOUNT + "/execd.sock"));
        List<String> entrypoint = spec.entrypoint().isEmpty() ? image.config().entrypoint() : spec.entrypoint();
        if (!entrypoint.isEmpty()) {
            args.add("--");
            args.addAll(entrypoint);
        }
        return args;
    }

    private static List<String> env(SandboxSpec spec, StoredImage image) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : image.config().env()) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.putIfAbsent("HOME", "/root");
        env.putAll(spec.env());
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static boolean hasWorkspace(SandboxSpec spec) {
        return spec.mounts().stream().anyMatch(m -> m.target().equals(WORKSPACE));
    }

    private static Map<String, String> annotations(SandboxRecord record) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("dev.moat.sandbox", record.id());
        annotations.put("dev.moat.image", record.image());
        record.labels().forEach((key, value) -> annotations.put("dev.moat.label." + key, value));
        return annotations;
    }
}
