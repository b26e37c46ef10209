package dev.moat.sdk;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to create: the image, environment, metadata, resource limits, lifetime and entrypoint of a new sandbox, and
 * how long to wait for it to be ready. Obtained from {@link Sandbox#builder()}; {@link #create()} may be called more
 * than once, each time for a new sandbox.
 */
public final class SandboxBuilder {

    /** The OpenSandbox SDKs' entrypoint for "nothing but execd": the server keeps the sandbox alive by itself. */
    static final List<String> KEEP_ALIVE = List.of("tail", "-f", "/dev/null");

    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);

    private final ConnectionConfig connection;
    private String image;
    private String registryUser;
    private String registryPassword;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, String> resources = new LinkedHashMap<>();
    private final Map<String, String> extensions = new LinkedHashMap<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private List<String> entrypoint = KEEP_ALIVE;
    private Platform platform;
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

    SandboxBuilder(ConnectionConfig connection) {
        this.connection = connection;
    }

    /** The image: a Moat sandbox type ({@code base}), its image ({@code moat/base:latest}) or any image URI. */
    public SandboxBuilder image(String uri) {
        this.image = Commands.nonBlank(uri, "image");
        return this;
    }

    /** An image from a private registry, with its credentials. */
    public SandboxBuilder image(String uri, String username, String password) {
        image(uri);
        this.registryUser = Objects.requireNonNull(username, "username");
        this.registryPassword = Objects.requireNonNull(password, "password");
        return this;
    }

    public SandboxBuilder env(String name, String value) {
        env.put(Commands.nonBlank(name, "env name"), Objects.requireNonNull(value, "value of " + name));
        return this;
    }

    public SandboxBuilder env(Map<String, String> variables) {
        variables.forEach(this::env);
        return this;
    }

    /** A metadata pair for finding the sandbox later ({@link SandboxFilter#withMetadata}). */
    public SandboxBuilder metadata(String key, String value) {
        metadata.put(Commands.nonBlank(key, "metadata key"), Objects.requireNonNull(value, "value of " + key));
        return this;
    }

    public SandboxBuilder metadata(Map<String, String> pairs) {
        pairs.forEach(this::metadata);
        return this;
    }

    /**
     * A resource limit in Kubernetes notation: {@code cpu} ({@code "500m"}, {@code "2"}), {@code memory}
     * ({@code "512Mi"}), and on Moat {@code pids}. Without any, the server applies its defaults (on Moat those of the
     * sandbox type, which lets it hand out a warm sandbox at once); servers that require limits need them set.
     */
    public SandboxBuilder resource(String name, String value) {
        resources.put(Commands.nonBlank(name, "resource name"), Commands.nonBlank(value, "value of " + name));
        return this;
    }

    /** The sandbox is removed this long after creation unless renewed; at least 60 s. Default 10 minutes. */
    public SandboxBuilder timeout(Duration lifetime) {
        if (lifetime.compareTo(Duration.ofSeconds(60)) < 0) {
            throw new IllegalArgumentException("a sandbox timeout must be at least 60 s, got " + lifetime);
        }
        this.timeout = lifetime;
        return this;
    }

    /** The sandbox never expires; it lives until killed (or closed). */
    public SandboxBuilder noTimeout() {
        this.timeout = null;
        return this;
    }

    /** The sandbox's main process, started next to execd. Default: none besides execd. */
    public SandboxBuilder entrypoint(String... command) {
        if (command.length == 0) {
            throw new IllegalArgumentException("an entrypoint needs at least the program");
        }
        this.entrypoint = List.of(command);
        return this;
    }

    public SandboxBuilder platform(String os, String arch) {
        this.platform = new Platform(os, arch);
        return this;
    }

    /** A provider-specific parameter, passed through as it is. */
    public SandboxBuilder extension(String key, String value) {
        extensions.put(Commands.nonBlank(key, "extension key"), Objects.requireNonNull(value, "value of " + key));
        return this;
    }

    /** How long {@link #create()} waits for the sandbox to run and its execd to answer. Default 60 s. */
    public SandboxBuilder readyTimeout(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("readyTimeout must be positive, got " + limit);
        }
        this.readyTimeout = limit;
        return this;
    }

    /**
     * Creates the sandbox and waits until it runs and its execd answers. If anything fails after the server accepted
     * the request, the sandbox is deleted before the failure is thrown.
     */
    public Sandbox create() {
        if (image == null) {
            throw new IllegalStateException("set the image first: Sandbox.builder().image(\"base\")");
        }
        SandboxManager manager = SandboxManager.of(connection);
        String id = manager.create(request()).id();
        try {
            return Sandbox.attach(manager, id, readyTimeout);
        } catch (RuntimeException | Error failure) {
            try {
                manager.kill(id);
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /** The body of {@code POST /v1/sandboxes}. */
    Map<String, Object> request() {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> imageSpec = new LinkedHashMap<>();
        imageSpec.put("uri", image);
        if (registryUser != null) {
            Map<String, Object> auth = new LinkedHashMap<>();
            auth.put("username", registryUser);
            auth.put("password", registryPassword);
            imageSpec.put("auth", auth);
        }
        body.put("image", imageSpec);
        if (platform != null) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("os", platform.os());
            spec.put("arch", platform.arch());
            body.put("platform", spec);
        }
        if (timeout != null) {
            long seconds = timeout.getSeconds() + (timeout.getNano() > 0 ? 1 : 0);
            body.put("timeout", seconds);
        }
        putIfAny(body, "resourceLimits", resources);
        putIfAny(body, "env", env);
        putIfAny(body, "metadata", metadata);
        body.put("entrypoint", entrypoint);
        putIfAny(body, "extensions", extensions);
        return body;
    }

    private static void putIfAny(Map<String, Object> body, String name, Map<String, String> values) {
        if (!values.isEmpty()) {
            body.put(name, new LinkedHashMap<>(values));
        }
    }
}
