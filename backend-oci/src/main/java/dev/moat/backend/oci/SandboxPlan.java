package dev.moat.backend.oci;

import dev.moat.core.spi.ResourceLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that goes into one sandbox's {@code config.json}, decided before the runtime is called.
 *
 * @param id the sandbox id, also its hostname and container id
 * @param rootfs the merged overlay root
 * @param args the container's process (tini, execd and the user's entrypoint)
 * @param env the process environment as {@code KEY=VALUE}
 * @param cwd the working directory inside
 * @param limits cpu, memory and pids limits (zero = unlimited)
 * @param mounts bind mounts besides the fixed ones ({@code /opt/moat}, {@code /run/moat}, {@code /tmp}, /proc, /dev …)
 * @param runtimeDirectory the host directory mounted read-only at {@code /opt/moat}
 * @param runDirectory the host directory mounted at {@code /run/moat}, where execd puts its socket
 * @param hostUidBase the first host uid/gid of the sandbox's user namespace; empty to run without one
 * @param tmpBytes the size of the {@code /tmp} tmpfs
 * @param annotations OCI annotations (the sandbox's labels and image)
 */
record SandboxPlan(
        String id,
        Path rootfs,
        List<String> args,
        List<String> env,
        String cwd,
        ResourceLimits limits,
        List<BindMount> mounts,
        Path runtimeDirectory,
        Path runDirectory,
        Optional<Long> hostUidBase,
        long tmpBytes,
        Map<String, String> annotations) {

    SandboxPlan {
        Objects.requireNonNull(id);
        args = List.copyOf(args);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
        annotations = Map.copyOf(annotations);
    }

    /** A host path bound into the sandbox. */
    record BindMount(Path source, String destination, boolean readOnly) {}
}
