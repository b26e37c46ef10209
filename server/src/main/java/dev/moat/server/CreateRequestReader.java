package dev.moat.server;

import dev.moat.core.SandboxRequest;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxSpec;
import dev.moat.protocol.CreateSandboxRequest;
import dev.moat.protocol.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a lifecycle create request field by field and turns it into a {@link SandboxRequest}. What Moat cannot do is
 * refused explicitly (501 NOT_SUPPORTED) rather than ignored: snapshots, egress network policies, credential proxies,
 * PVC and OSS volumes, other platforms.
 */
final class CreateRequestReader {

    /** The OpenSandbox SDKs' keep-alive entrypoint: execd already keeps a sandbox alive, so it starts nothing. */
    static final List<String> KEEP_ALIVE = List.of("tail", "-f", "/dev/null");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern VOLUME_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final String RENEW_EXTENSION = "access.renew.extend.seconds";

    private final ServerConfig config;

    CreateRequestReader(ServerConfig config) {
        this.config = config;
    }

    SandboxRequest read(CreateSandboxRequest request) {
        if (request.snapshotId() != null) {
            throw ServerError.NOT_SUPPORTED.exception("snapshots are not supported by Moat yet; create from an image");
        }
        if (request.image() == null
                || request.image().uri() == null
                || request.image().uri().isBlank()) {
            throw ServerError.INVALID_REQUEST.exception(
                    "image.uri is required (e.g. \"moat/base:latest\" or \"base\")");
        }
        checkPlatform(request);
        checkNetworkPolicy(request.networkPolicy());
        if (request.credentialProxy() != null
                && Boolean.TRUE.equals(request.credentialProxy().get("enabled"))) {
            throw ServerError.NOT_SUPPORTED.exception("credentialProxy is not supported by Moat");
        }
        Map<String, String> env = request.env() == null ? Map.of() : request.env();
        env.forEach((name, value) -> {
            if (!ENV_NAME.matcher(name).matches()) {
                throw ServerError.INVALID_REQUEST.exception(
                        "env name '%s' is not valid: use letters, digits and '_', not starting with a digit", name);
            }
            if (value == null) {
                throw ServerError.INVALID_REQUEST.exception("env '%s' has no value", name);
            }
        });
        Map<String, String> metadata = request.metadata() == null ? Map.of() : request.metadata();
        MetadataRules.check(metadata);
        checkExtensions(request.extensions());
        return new SandboxRequest(
                request.image().uri().strip(),
                env,
                entrypoint(request.entrypoint()),
                limits(request.resourceLimits()),
                metadata,
                timeout(request.timeout()),
                mounts(request.volumes()));
    }

    private static List<String> entrypoint(List<String> entrypoint) {
        if (entrypoint == null || entrypoint.equals(KEEP_ALIVE)) {
            return List.of();
        }
        if (entrypoint.isEmpty() || entrypoint.stream().anyMatch(part -> part == null)) {
            throw ServerError.INVALID_REQUEST.exception(
                    "entrypoint must be a non-empty list of strings like [\"python\", \"/app/main.py\"]");
        }
        return entrypoint;
    }

    private static ResourceLimits limits(Map<String, String> limits) {
        if (limits == null) {
            return ResourceLimits.UNLIMITED;
        }
        try {
            return ResourceLimits.parse(limits);
        } catch (SandboxException e) {
            throw ServerError.INVALID_REQUEST.exception("resourceLimits: %s", e.getMessage());
        }
    }

    private Optional<Duration> timeout(Long seconds) {
        if (seconds == null) {
            return Optional.empty();
        }
        if (seconds < 60) {
            throw ServerError.INVALID_REQUEST.exception("timeout must be at least 60 seconds, got %d", seconds);
        }
        if (seconds > config.maxTimeout().toSeconds()) {
            throw ServerError.INVALID_REQUEST.exception(
                    "timeout %d exceeds the server's maximum of %d seconds (MOAT_MAX_TIMEOUT_SECONDS)",
                    seconds, config.maxTimeout().toSeconds());
        }
        return Optional.of(Duration.ofSeconds(seconds));
    }

    private static void checkPlatform(CreateSandboxRequest request) {
        if (request.platform() == null) {
            return;
        }
        String os = request.platform().os();
        String arch = request.platform().arch();
        String hostArch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
        if (os == null || arch == null) {
            throw ServerError.INVALID_REQUEST.exception("platform needs both os and arch");
        }
        if (!os.equals("linux") || !arch.equals(hostArch)) {
            throw ServerError.NOT_SUPPORTED.exception(
                    "platform %s/%s cannot be satisfied: this server runs linux/%s sandboxes", os, arch, hostArch);
        }
    }

    /** Sandboxes have no network beyond loopback; only a policy that denies all egress is already satisfied. */
    private static void checkNetworkPolicy(Map<String, Object> policy) {
        if (policy == null || policy.isEmpty()) {
            return;
        }
        Object action = policy.getOrDefault("defaultAction", "deny");
        Object egress = policy.get("egress");
        boolean allowsSomething = !"deny".equals(action)
                || (egress instanceof List<?> rules
                        && rules.stream()
                                .anyMatch(rule -> rule instanceof Map<?, ?> map && "allow".equals(map.get("action"))));
        if (!"deny".equals(action) && !"allow".equals(action)) {
            throw ServerError.INVALID_REQUEST.exception("networkPolicy.defaultAction must be allow or deny");
        }
        if (allowsSomething) {
            throw ServerError.NOT_SUPPORTED.exception(
                    "Moat sandboxes have no network egress (loopback only); a networkPolicy that allows egress cannot"
                            + " be honoured");
        }
    }

    private static void checkExtensions(Map<String, String> extensions) {
        if (extensions == null || !extensions.containsKey(RENEW_EXTENSION)) {
            return;
        }
        String value = extensions.get(RENEW_EXTENSION);
        try {
            long seconds = Long.parseLong(value);
            if (seconds < 300 || seconds > 86400) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw ServerError.INVALID_REQUEST.exception(
                    "extensions.%s must be a whole number of seconds from 300 to 86400, got '%s'",
                    RENEW_EXTENSION, value);
        }
        throw ServerError.NOT_SUPPORTED.exception(
                "extensions.%s (renew on access) is not supported by Moat yet", RENEW_EXTENSION);
    }

    private List<SandboxSpec.Mount> mounts(List<Volume> volumes) {
        if (volumes == null || volumes.isEmpty()) {
            return List.of();
        }
        List<SandboxSpec.Mount> mounts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> targets = new HashSet<>();
        for (Volume volume : volumes) {
            if (volume == null
                    || volume.name() == null
                    || !VOLUME_NAME.matcher(volume.name()).matches()) {
                throw ServerError.INVALID_REQUEST.exception("every volume needs a name that is a DNS label");
            }
            if (!names.add(volume.name())) {
                throw ServerError.INVALID_REQUEST.exception("volume name '%s' is used twice", volume.name());
            }
            if (volume.mountPath() == null || !volume.mountPath().startsWith("/")) {
                throw ServerError.INVALID_REQUEST.exception("volume '%s': mountPath must be absolute", volume.name());
            }
            if (!targets.add(volume.mountPath())) {
                throw ServerError.INVALID_REQUEST.exception("mountPath %s is used twice", volume.mountPath());
            }
            int backends =
                    (volume.host() != null ? 1 : 0) + (volume.pvc() != null ? 1 : 0) + (volume.ossfs() != null ? 1 : 0);
            if (backends != 1) {
                throw ServerError.INVALID_REQUEST.exception(
                        "volume '%s' must have exactly one of host, pvc, ossfs", volume.name());
            }
            if (volume.host() == null) {
                throw ServerError.NOT_SUPPORTED.exception(
                        "volume '%s': only host volumes are supported by Moat's oci backend", volume.name());
            }
            mounts.add(new SandboxSpec.Mount(
                    hostPath(volume), volume.mountPath(), Boolean.TRUE.equals(volume.readOnly())));
        }
        return mounts;
    }

    private Path hostPath(Volume volume) {
        String raw = volume.host().path();
        if (raw == null || !raw.startsWith("/")) {
            throw ServerError.INVALID_REQUEST.exception("volume '%s': host.path must be absolute", volume.name());
        }
        Path path = Path.of(raw).normalize();
        if (volume.subPath() != null && !volume.subPath().isEmpty()) {
            Path sub = Path.of(volume.subPath()).normalize();
            if (sub.isAbsolute() || sub.startsWith("..")) {
                throw ServerError.INVALID_REQUEST.exception(
                        "volume '%s': subPath must be relative, without '..'", volume.name());
            }
            path = path.resolve(sub);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (java.io.IOException e) {
            throw ServerError.INVALID_REQUEST.exception(
                    "volume '%s': host path %s does not exist", volume.name(), path);
        }
        Path checked = real;
        if (config.allowedHostPaths().stream().noneMatch(checked::startsWith)) {
            throw ServerError.INVALID_REQUEST.exception(
                    "volume '%s': host path %s is not under an allowed prefix (MOAT_ALLOWED_HOST_PATHS: %s)",
                    volume.name(), real, config.allowedHostPaths().isEmpty() ? "none" : config.allowedHostPaths());
        }
        if (!Files.isDirectory(real) && !Files.isRegularFile(real)) {
            throw ServerError.INVALID_REQUEST.exception(
                    "volume '%s': %s is not a file or directory", volume.name(), real);
        }
        return real;
    }
}
