package dev.moat.server;

import dev.moat.core.spi.SandboxSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server's configuration, read and checked once at start-up: a value that cannot be used stops the server with
 * a message naming the key.
 */
public record ServerConfig(
        String host,
        int port,
        boolean debug,
        Optional<String> bearerToken,
        List<String> pooledTypes,
        int poolSize,
        boolean autoCleanup,
        String idPrefix,
        String deployment,
        Path mountDir,
        List<SandboxSpec.Mount> readonlyMounts,
        int maxSandboxInstances,
        String imageNamespace,
        String imageTag,
        Path moatHome,
        Optional<Path> runtimeDir,
        Duration admissionWait,
        int admissionQueue,
        Duration readyTimeout,
        int refillConcurrency,
        int maxConcurrentCreates,
        Duration maxTimeout,
        Duration retention,
        List<Path> allowedHostPaths,
        int maxBodyBytes,
        Map<String, String> raw) {

    private static final Set<String> AVAILABLE_DEPLOYMENTS = Set.of("oci", "gvisor");
    private static final Set<String> KNOWN_DEPLOYMENTS =
            Set.of("oci", "gvisor", "docker", "k8s", "boxlite", "agentrun", "fc");
    private static final Pattern DNS_PREFIX = Pattern.compile("[a-z0-9]([a-z0-9-]{0,40})?");

    public static ServerConfig from(ConfigSource source) {
        ConfigValues values = new ConfigValues(source);
        String host = values.string(Setting.HOST);
        Optional<String> token =
                Optional.of(values.string(Setting.BEARER_TOKEN)).filter(t -> !t.isEmpty());
        if (!isLoopback(host, values) && token.isEmpty() && !values.bool(Setting.MOAT_ALLOW_UNAUTHENTICATED)) {
            throw new ConfigException("HOST=" + host + " is reachable from other machines but BEARER_TOKEN is empty: "
                    + "set BEARER_TOKEN, or set MOAT_ALLOW_UNAUTHENTICATED=True to serve without authentication");
        }
        if (values.integer(Setting.WORKERS, 1, 64) > 1 && !values.bool(Setting.REDIS_ENABLED)) {
            throw values.invalid(Setting.WORKERS, "more than one worker needs REDIS_ENABLED=True (shared state)");
        }
        if (values.bool(Setting.REDIS_ENABLED)) {
            throw values.invalid(Setting.REDIS_ENABLED, "the Redis state store is not available in this version");
        }
        if (!values.string(Setting.FILE_SYSTEM).equals("local")) {
            throw values.invalid(Setting.FILE_SYSTEM, "only 'local' workspace storage is available in this version");
        }
        String deployment = values.string(Setting.CONTAINER_DEPLOYMENT);
        if (!KNOWN_DEPLOYMENTS.contains(deployment)) {
            throw values.invalid(Setting.CONTAINER_DEPLOYMENT, "expected one of " + KNOWN_DEPLOYMENTS);
        }
        if (!AVAILABLE_DEPLOYMENTS.contains(deployment)) {
            throw values.invalid(
                    Setting.CONTAINER_DEPLOYMENT,
                    "the '" + deployment + "' backend is not available yet; use oci (the default) or gvisor");
        }
        String prefix = values.string(Setting.CONTAINER_PREFIX_KEY);
        if (!DNS_PREFIX.matcher(prefix).matches()) {
            throw values.invalid(
                    Setting.CONTAINER_PREFIX_KEY,
                    "expected at most 41 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
        values.range(Setting.PORT_RANGE);
        values.integer(Setting.HEARTBEAT_TIMEOUT, 1, Integer.MAX_VALUE);
        values.integer(Setting.HEARTBEAT_SCAN_INTERVAL, 0, Integer.MAX_VALUE);
        values.integer(Setting.HEARTBEAT_LOCK_TTL, 1, Integer.MAX_VALUE);
        String runtime = values.string(Setting.MOAT_RUNTIME_DIR);
        return new ServerConfig(
                host,
                values.integer(Setting.PORT, 0, 65535),
                values.bool(Setting.DEBUG),
                token,
                values.names(Setting.DEFAULT_SANDBOX_TYPE),
                values.integer(Setting.POOL_SIZE, 0, 1000),
                values.bool(Setting.AUTO_CLEANUP),
                prefix,
                deployment,
                values.path(Setting.DEFAULT_MOUNT_DIR),
                readonlyMounts(values),
                values.integer(Setting.MAX_SANDBOX_INSTANCES, 0, 1_000_000),
                values.string(Setting.RUNTIME_SANDBOX_IMAGE_NAMESPACE),
                values.string(Setting.RUNTIME_SANDBOX_IMAGE_TAG),
                values.path(Setting.MOAT_HOME),
                runtime.isEmpty() ? Optional.empty() : Optional.of(values.path(Setting.MOAT_RUNTIME_DIR)),
                Duration.ofSeconds(values.integer(Setting.MOAT_ADMISSION_WAIT_SECONDS, 0, 3600)),
                values.integer(Setting.MOAT_ADMISSION_QUEUE, 0, 1_000_000),
                Duration.ofSeconds(values.integer(Setting.MOAT_READY_TIMEOUT_SECONDS, 1, 3600)),
                values.integer(Setting.MOAT_POOL_REFILL_CONCURRENCY, 1, 64),
                values.integer(Setting.MOAT_MAX_CONCURRENT_CREATES, 0, 1024),
                Duration.ofSeconds(values.integer(Setting.MOAT_MAX_TIMEOUT_SECONDS, 60, Integer.MAX_VALUE)),
                Duration.ofSeconds(values.integer(Setting.MOAT_RETENTION_SECONDS, 0, Integer.MAX_VALUE)),
                allowedHostPaths(values),
                values.integer(Setting.MOAT_MAX_BODY_BYTES, 1024, 64 * 1024 * 1024),
                source.all());
    }

    private static boolean isLoopback(String host, ConfigValues values) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw values.invalid(Setting.HOST, "not an address this machine knows");
        }
    }

    private static List<SandboxSpec.Mount> readonlyMounts(ConfigValues values) {
        List<SandboxSpec.Mount> mounts = new ArrayList<>();
        for (Map.Entry<String, String> entry :
                values.jsonMap(Setting.READONLY_MOUNTS).entrySet()) {
            Path source = Path.of(entry.getKey());
            if (!source.isAbsolute() || !java.nio.file.Files.exists(source)) {
                throw values.invalid(
                        Setting.READONLY_MOUNTS, "host path " + entry.getKey() + " must exist and be absolute");
            }
            if (!entry.getValue().startsWith("/")) {
                throw values.invalid(Setting.READONLY_MOUNTS, "sandbox path " + entry.getValue() + " must be absolute");
            }
            mounts.add(new SandboxSpec.Mount(source, entry.getValue(), true));
        }
        return mounts;
    }

    private static List<Path> allowedHostPaths(ConfigValues values) {
        return values.names(Setting.MOAT_ALLOWED_HOST_PATHS).stream()
                .map(path -> {
                    Path p = Path.of(path);
                    if (!p.isAbsolute()) {
                        throw values.invalid(Setting.MOAT_ALLOWED_HOST_PATHS, path + " is not an absolute path");
                    }
                    return p.normalize();
                })
                .toList();
    }

    /** Whether clients must authenticate. */
    public boolean authenticated() {
        return bearerToken.isPresent();
    }
}
