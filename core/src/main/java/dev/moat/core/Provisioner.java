package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Creates a sandbox on the backend and waits until its execd answers; on any failure removes what was made, so that
 * a sandbox is either ready or gone.
 */
final class Provisioner {

    private final Backend backend;
    private final ExecdGateway execd;
    private final ManagerSettings settings;
    private final Creations creations;

    Provisioner(Backend backend, ExecdGateway execd, ManagerSettings settings, Creations creations) {
        this.backend = backend;
        this.execd = execd;
        this.settings = settings;
        this.creations = creations;
    }

    /** The host directory that is the sandbox's {@code /workspace}. */
    Path workspaceOf(String id) {
        return settings.workspaceRoot().resolve(id);
    }

    /** The spec's mounts: the workspace, the configured read-only mounts, then the request's. */
    List<SandboxSpec.Mount> mountsFor(String id, List<SandboxSpec.Mount> requested) {
        List<SandboxSpec.Mount> mounts = new ArrayList<>();
        mounts.add(new SandboxSpec.Mount(workspaceOf(id).toAbsolutePath(), "/workspace", false));
        mounts.addAll(settings.readonlyMounts());
        mounts.addAll(requested);
        return mounts;
    }

    /**
     * Creates the sandbox and returns its execd endpoint once execd answers (and the kernel is warm, if asked). Waits
     * for a free creation slot first.
     */
    ExecdEndpoint provision(SandboxSpec spec, boolean warmKernel) {
        return creations.run(() -> create(spec, warmKernel));
    }

    private ExecdEndpoint create(SandboxSpec spec, boolean warmKernel) {
        try {
            Files.createDirectories(workspaceOf(spec.id()));
        } catch (IOException e) {
            throw new SandboxException(
                    SandboxException.Kind.FAILED,
                    "cannot create the workspace " + workspaceOf(spec.id()) + " (DEFAULT_MOUNT_DIR): " + e.getMessage(),
                    e);
        }
        try {
            backend.create(spec);
            ExecdEndpoint endpoint = backend.execdEndpoint(spec.id());
            awaitExecd(spec.id(), endpoint);
            if (warmKernel) {
                execd.warmKernel(endpoint);
            }
            return endpoint;
        } catch (RuntimeException e) {
            try {
                backend.remove(spec.id());
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void awaitExecd(String id, ExecdEndpoint endpoint) {
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        long pause = Duration.ofMillis(1).toNanos();
        while (System.nanoTime() < deadline) {
            if (endpointExists(endpoint) && execd.ping(endpoint, Duration.ofMillis(500))) {
                return;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, Duration.ofMillis(20).toNanos());
        }
        throw new SandboxException(
                SandboxException.Kind.FAILED,
                "sandbox " + id + " started but its execd did not answer within "
                        + settings.readyTimeout().toMillis() + " ms");
    }

    private static boolean endpointExists(ExecdEndpoint endpoint) {
        return switch (endpoint) {
            case ExecdEndpoint.UnixSocket socket -> Files.exists(socket.path());
            case ExecdEndpoint.Tcp tcp -> true;
        };
    }
}
