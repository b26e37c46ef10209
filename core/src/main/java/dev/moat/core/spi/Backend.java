package dev.moat.core.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs sandboxes: containers whose PID 1 is tini, which starts execd (and the spec's entrypoint, if any). A backend is
 * stateless between calls: everything it knows about a sandbox it can find again from the host ({@link #list}), so a
 * restarted server loses nothing. Every method may block; all are safe to call from many threads, for different
 * sandboxes at once. Failures are {@link SandboxException}s with a {@link SandboxException.Kind}.
 */
public interface Backend extends AutoCloseable {

    /** The backend's name as configured ({@code oci}, {@code gvisor}, {@code docker}, …). */
    String name();

    /**
     * A human-readable account of how this backend runs sandboxes on this host, for the start-up log: which runtime,
     * and why ({@code crun 1.8.1 refuses cgroup v1 with a v2 mount here; using runc 1.1.5}).
     */
    String describe();

    /**
     * Creates and starts a sandbox. Returns once its processes run; execd may not answer yet — poll
     * {@link #execdEndpoint}. Fails with {@code IMAGE_NOT_FOUND} for an unknown image and {@code CONFLICT} when the id
     * is taken; on failure nothing of the sandbox is left behind.
     */
    SandboxInfo create(SandboxSpec spec);

    /** Freezes every process of the sandbox. Pausing a paused sandbox does nothing. */
    void pause(String id);

    /** Thaws a paused sandbox. Resuming a running sandbox does nothing. */
    void resume(String id);

    /**
     * Stops the sandbox's processes (TERM, then KILL after the grace period) but keeps its state, so that
     * {@link #remove} can still find it.
     */
    void stop(String id);

    /**
     * Removes the sandbox and everything it used on the host except its workspace: processes, mounts, cgroups,
     * runtime state, directories. Idempotent: removing an unknown sandbox does nothing.
     */
    void remove(String id);

    /** The sandbox's current state, or empty when the backend does not know it. */
    Optional<SandboxInfo> inspect(String id);

    /** Every sandbox of this backend whose labels contain all of {@code selector}. */
    List<SandboxInfo> list(Map<String, String> selector);

    /** Current resource use of a running or paused sandbox. */
    ResourceUsage usage(String id);

    /** Where the host reaches the sandbox's execd. */
    ExecdEndpoint execdEndpoint(String id);

    /** The image names this backend can create sandboxes from, as {@code name:tag}. */
    Set<String> images();

    /** Releases what the backend itself holds (not the sandboxes: those outlive the backend object). */
    @Override
    void close();

    /** Creates backends; registered in {@code META-INF/services/dev.moat.core.spi.Backend$Factory}. */
    interface Factory {

        /** The {@code CONTAINER_DEPLOYMENT} values this factory serves ({@code oci}, {@code gvisor}). */
        Set<String> deployments();

        /** A backend for the given deployment; fails with {@code UNAVAILABLE} when this host cannot run it. */
        Backend create(BackendSettings settings);
    }
}
