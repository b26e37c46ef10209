package dev.moat.core;

import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated request for a sandbox, as the manager takes it from any API.
 *
 * @param image the image as the client named it (an image, a type name, or an AgentScope image name)
 * @param env per-request environment, on top of the type's
 * @param entrypoint the user's main process; empty for none
 * @param limits requested limits; zero fields take the type's
 * @param metadata client metadata
 * @param timeout lifetime; empty for none
 * @param mounts extra mounts (allowed host volumes)
 */
public record SandboxRequest(
        String image,
        Map<String, String> env,
        List<String> entrypoint,
        ResourceLimits limits,
        Map<String, String> metadata,
        Optional<Duration> timeout,
        List<SandboxSpec.Mount> mounts) {

    public SandboxRequest {
        Objects.requireNonNull(image);
        env = Map.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        Objects.requireNonNull(limits);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(timeout);
        mounts = List.copyOf(mounts);
    }

    /** A request for an image or type with every option at its default. */
    public static SandboxRequest of(String image) {
        return new SandboxRequest(
                image, Map.of(), List.of(), ResourceLimits.UNLIMITED, Map.of(), Optional.empty(), List.of());
    }
}
