package dev.moat.builder;

import java.nio.file.Path;
import java.util.Map;

/**
 * Moat's own directory on this host: {@code $MOAT_HOME}, by default {@code ~/.moat}. Holds the image store
 * ({@code images/}) and the package cache of image builds ({@code cache/}).
 */
public record MoatHome(Path directory) {

    /** {@code $MOAT_HOME} when set, else {@code ~/.moat}. */
    public static MoatHome fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static MoatHome fromEnvironment(Map<String, String> environment, Path userHome) {
        String configured = environment.getOrDefault("MOAT_HOME", "").trim();
        return new MoatHome(configured.isEmpty() ? userHome.resolve(".moat") : Path.of(configured));
    }

    public ImageStore images() {
        return ImageStore.inHome(directory);
    }
}
