package dev.moat.core.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a backend needs to create one sandbox.
 *
 * @param id the sandbox id, unique on the host, DNS-safe ({@code [a-z0-9-]}, at most 63 characters)
 * @param image the image as {@code name:tag} ({@code moat/base:latest})
 * @param env environment of execd and the entrypoint, on top of the image's
 * @param entrypoint the user's main process, started by execd; empty for none
 * @param limits cpu, memory and pids limits
 * @param mounts bind mounts besides the ones every sandbox gets ({@code /opt/moat}, {@code /run/moat}, {@code /tmp})
 * @param network how the sandbox reaches the network
 * @param labels key-value labels the backend stores with the sandbox and filters {@link Backend#list} on
 */
public record SandboxSpec(
        String id,
        String image,
        Map<String, String> env,
        List<String> entrypoint,
        ResourceLimits limits,
        List<Mount> mounts,
        NetworkMode network,
        Map<String, String> labels) {

    private static final java.util.regex.Pattern ID =
            java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public SandboxSpec {
        Objects.requireNonNull(id);
        Objects.requireNonNull(image);
        if (!ID.matcher(id).matches()) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "sandbox id '" + id
                            + "' must be 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'");
        }
        env = Map.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        Objects.requireNonNull(limits);
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(network);
        labels = Map.copyOf(labels);
    }

    /** A bind mount of a host path into the sandbox. */
    public record Mount(java.nio.file.Path source, String target, boolean readOnly) {
        public Mount {
            Objects.requireNonNull(source);
            if (!source.isAbsolute()) {
                throw new SandboxException(
                        SandboxException.Kind.INVALID_SPEC, "mount source must be absolute: " + source);
            }
            if (target == null || !target.startsWith("/")) {
                throw new SandboxException(
                        SandboxException.Kind.INVALID_SPEC, "mount target must be an absolute path: " + target);
            }
        }
    }

    /** How a sandbox reaches the network. */
    public enum NetworkMode {
        /** Its own network namespace with only the loopback interface: no traffic leaves the sandbox. */
        LOOPBACK
    }
}
