package dev.moat.core.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend is created with.
 *
 * @param deployment the {@code CONTAINER_DEPLOYMENT} value that selected it ({@code oci}, {@code gvisor}, …)
 * @param moatHome Moat's state directory ({@code MOAT_HOME}, default {@code ~/.moat}): images, sandbox bundles
 * @param runtimeDirectory the directory mounted read-only at {@code /opt/moat} in every sandbox (JRE, execd, tini)
 * @param properties every configuration key and value, for backend-specific settings
 */
public record BackendSettings(String deployment, Path moatHome, Path runtimeDirectory, Map<String, String> properties) {

    public BackendSettings {
        Objects.requireNonNull(deployment);
        Objects.requireNonNull(moatHome);
        Objects.requireNonNull(runtimeDirectory);
        properties = Map.copyOf(properties);
    }

    public Optional<String> property(String key) {
        return Optional.ofNullable(properties.get(key)).filter(v -> !v.isBlank());
    }
}
