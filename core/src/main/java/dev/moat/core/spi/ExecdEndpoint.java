package dev.moat.core.spi;

import java.nio.file.Path;

/** Where the host reaches a sandbox's execd. */
public sealed interface ExecdEndpoint {

    /** A Unix socket on the host (the {@code oci} and {@code docker} backends): no IP traffic into the sandbox. */
    record UnixSocket(Path path) implements ExecdEndpoint {}

    /** A TCP address (Kubernetes pods). */
    record Tcp(String host, int port) implements ExecdEndpoint {}
}
