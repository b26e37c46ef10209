package dev.moat.sdk;

import java.util.Objects;

/**
 * A platform constraint for a sandbox.
 *
 * @param os {@code linux} or {@code windows}
 * @param arch {@code amd64} or {@code arm64}
 */
public record Platform(String os, String arch) {
    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(arch, "arch");
    }
}
