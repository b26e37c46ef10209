package dev.moat.sdk;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One sandbox on a Moat (or any OpenSandbox) server: an isolated container with a shell, Jupyter kernels and a file
 * system, reached through the lifecycle API and the sandbox's execd. Closing it kills the sandbox, so
 * try-with-resources leaves nothing behind:
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.builder().image("base").create()) {
 *     System.out.println(sandbox.commands().run("uname -a").stdoutText());
 * }
 * }</pre>
 *
 * Safe for concurrent use; {@link #commands()}, {@link #code()} and {@link #files()} may be used from many threads.
 */
public final class Sandbox implements AutoCloseable {

    private final SandboxManager manager;
    private final String id;
    private final Duration readyTimeout;
    private volatile ExecdClient execd;
    private volatile boolean killed;

    private Sandbox(SandboxManager manager, String id, ExecdClient execd, Duration readyTimeout) {
        this.manager = manager;
        this.id = id;
        this.execd = execd;
        this.readyTimeout = readyTimeout;
    }

    /** Starts describing a new sandbox on the server named by the environment ({@link ConnectionConfig}). */
    public static SandboxBuilder builder() {
        return new SandboxBuilder(ConnectionConfig.fromEnvironment());
    }

    /** Starts describing a new sandbox on the given server. */
    public static SandboxBuilder builder(ConnectionConfig connection) {
        return new SandboxBuilder(Objects.requireNonNull(connection, "connection"));
    }

    /** An existing sandbox on the server named by the environment, once it runs and its execd answers. */
    public static Sandbox connect(String sandboxId) {
        return connect(sandboxId, ConnectionConfig.fromEnvironment());
    }

    /** An existing sandbox, once it runs and its execd answers (waiting up to 60 s). */
    public static Sandbox connect(String sandboxId, ConnectionConfig connection) {
        return connect(sandboxId, connection, SandboxBuilder.DEFAULT_READY_TIMEOUT);
    }

    /**
     * An existing sandbox, once it runs and its execd answers. A paused sandbox is not resumed: resume it first
     * ({@link SandboxManager#resume}).
     */
    public static Sandbox connect(String sandboxId, ConnectionConfig connection, Duration readyTimeout) {
        return attach(SandboxManager.of(connection), Commands.nonBlank(sandboxId, "sandboxId"), readyTimeout);
    }

    /** One page of the sandboxes on a server that match a filter. */
    public static SandboxPage list(ConnectionConfig connection, SandboxFilter filter) {
        return SandboxManager.of(connection).list(filter);
    }

    /** Waits for a sandbox to run, finds its execd, waits for that to answer. */
    static Sandbox attach(SandboxManager manager, String id, Duration readyTimeout) {
        Readiness readiness = new Readiness(id, readyTimeout);
        readiness.untilState(manager, SandboxState.RUNNING, EnumSet.of(SandboxState.PENDING, SandboxState.RESUMING));
        ExecdClient execd = connectExecd(manager, id);
        readiness.untilExecdAnswers(execd);
        return new Sandbox(manager, id, execd, readyTimeout);
    }

    private static ExecdClient connectExecd(SandboxManager manager, String id) {
        return ExecdClient.connect(manager.endpoint(id, ExecdClient.EXECD_PORT), manager.connection());
    }

    public String id() {
        return id;
    }

    /** The sandbox as the server describes it now. */
    public SandboxInfo info() {
        return manager.get(id);
    }

    /** Shell commands and bash sessions. */
    public Commands commands() {
        return execd.commands();
    }

    /** Stateful code in Jupyter kernels. */
    public Code code() {
        return execd.code();
    }

    /** The sandbox's file system. */
    public SandboxFiles files() {
        return execd.files();
    }

    /** A snapshot of the sandbox's CPU and memory use. */
    public Metrics metrics() {
        return execd.metrics();
    }

    /** Streams metrics to {@code consumer} while it returns {@code true}; see {@link ExecdClient#watchMetrics}. */
    public void watchMetrics(Predicate<Metrics> consumer) {
        execd.watchMetrics(consumer);
    }

    /** The client of this sandbox's execd. */
    public ExecdClient execd() {
        return execd;
    }

    /** The lifecycle client this sandbox uses, for calls by id (metadata patches, other sandboxes). */
    public SandboxManager manager() {
        return manager;
    }

    /** Whether the sandbox's execd answers now. */
    public boolean isHealthy() {
        return execd.isHealthy();
    }

    /** Freezes every process of the sandbox and returns once it is Paused; its memory and files stay. */
    public void pause() {
        manager.pause(id);
        new Readiness(id, readyTimeout)
                .untilState(manager, SandboxState.PAUSED, EnumSet.of(SandboxState.RUNNING, SandboxState.PAUSING));
    }

    /** Thaws a paused sandbox and returns once it runs again and its execd answers. */
    public void resume() {
        manager.resume(id);
        Readiness readiness = new Readiness(id, readyTimeout);
        readiness.untilState(manager, SandboxState.RUNNING, EnumSet.of(SandboxState.PAUSED, SandboxState.RESUMING));
        ExecdClient fresh = connectExecd(manager, id); // a server may move a resumed sandbox's endpoint
        readiness.untilExecdAnswers(fresh);
        execd = fresh;
    }

    /** Moves the expiry to {@code timeout} from now and returns the new expiry. */
    public Instant renew(Duration timeout) {
        return manager.renew(id, timeout);
    }

    /** How to reach a port of the sandbox (a service started inside). */
    public Endpoint endpoint(int port) {
        return manager.endpoint(id, port);
    }

    /** The URL of a port of the sandbox, in the connection's scheme. */
    public URI endpointUrl(int port) {
        return endpoint(port).url(manager.connection().scheme());
    }

    /** Deletes the sandbox now. */
    public void kill() {
        manager.kill(id);
        killed = true;
    }

    /**
     * Kills the sandbox unless {@link #kill()} already did. A sandbox the server no longer knows (it expired, or was
     * deleted elsewhere) counts as killed.
     */
    @Override
    public void close() {
        if (killed) {
            return;
        }
        try {
            kill();
        } catch (SandboxApiException e) {
            if (e.status() != 404) {
                throw e;
            }
            killed = true;
        }
    }

    @Override
    public String toString() {
        return "Sandbox[" + id + " at " + manager.connection().baseUrl() + "]";
    }
}
