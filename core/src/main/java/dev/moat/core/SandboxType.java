package dev.moat.core;

import dev.moat.core.spi.ResourceLimits;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named sandbox template: the image, environment, resource limits and default timeout sandboxes of this type get.
 * Types in {@code DEFAULT_SANDBOX_TYPE} have a warm pool.
 *
 * @param name the type's name ({@code base})
 * @param image the image as {@code name:tag}
 * @param env environment every sandbox of the type gets, before per-request env
 * @param limits default resource limits
 * @param timeout default lifetime; empty for no expiry
 * @param description one line for listings
 */
public record SandboxType(
        String name,
        String image,
        Map<String, String> env,
        ResourceLimits limits,
        Optional<Duration> timeout,
        String description) {

    public SandboxType {
        Objects.requireNonNull(name);
        Objects.requireNonNull(image);
        env = Map.copyOf(env);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(timeout);
    }
}
