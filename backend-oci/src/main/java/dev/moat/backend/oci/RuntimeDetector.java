package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Chooses the OCI runtime by trying each candidate on this host: a tiny container with exactly the hardening of a real
 * sandbox (namespaces, user namespace, seccomp, cgroup limits, the {@code /opt/moat} mount) runs
 * {@code /opt/moat/tini --version}. The first candidate whose container runs wins; the others' failures become the
 * reason in the start-up log. A runtime that cannot run such a container would fail every sandbox, so failing here,
 * once, with its own words, is the better place.
 */
final class RuntimeDetector {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    /** The runtime chosen and why. */
    record Choice(OciRuntime runtime, String version, boolean userNamespaces, String reason) {}

    private final Path runtimeDirectory;
    private final Path scratch;
    private final Path stateRoot;
    private final ObjectMapper json;

    RuntimeDetector(Path runtimeDirectory, Path scratch, Path stateRoot, ObjectMapper json) {
        this.runtimeDirectory = runtimeDirectory;
        this.scratch = scratch;
        this.stateRoot = stateRoot;
        this.json = json;
    }

    /** The candidates of a deployment, in order of preference. */
    static List<OciRuntime.Kind> candidates(String deployment) {
        return switch (deployment) {
            case "gvisor" -> List.of(OciRuntime.Kind.RUNSC);
            default -> List.of(OciRuntime.Kind.CRUN, OciRuntime.Kind.RUNC);
        };
    }

    /**
     * Tries the candidates in order. {@code userNamespaces} says whether the host supports idmapped user namespaces;
     * a runtime that runs the probe only without one is still chosen, with user namespaces off.
     */
    Choice choose(List<OciRuntime.Kind> candidates, boolean userNamespaces) {
        List<String> refusals = new ArrayList<>();
        for (OciRuntime.Kind kind : candidates) {
            Optional<Path> binary = onPath(kind.binary);
            if (binary.isEmpty()) {
                refusals.add(kind.binary + " is not installed");
                continue;
            }
            OciRuntime runtime = new OciRuntime(kind, binary.get(), stateRoot, json);
            String version = runtime.version();
            boolean withUserns = userNamespaces && kind != OciRuntime.Kind.RUNSC;
            Optional<String> failure = probe(runtime, withUserns);
            if (failure.isPresent() && withUserns) {
                Optional<String> without = probe(runtime, false);
                if (without.isEmpty()) {
                    return new Choice(
                            runtime,
                            version,
                            false,
                            explain(refusals) + "; user namespaces off: " + version + " failed with one: "
                                    + failure.get());
                }
            }
            if (failure.isEmpty()) {
                return new Choice(runtime, version, withUserns, explain(refusals));
            }
            refusals.add(version + " failed a test container: " + failure.get());
        }
        throw new SandboxException(
                SandboxException.Kind.UNAVAILABLE,
                "no usable OCI runtime on this host: " + String.join("; ", refusals)
                        + ". Install crun or runc (gvisor needs runsc), and run Moat as root.");
    }

    private static String explain(List<String> refusals) {
        return refusals.isEmpty() ? "first choice" : String.join("; ", refusals);
    }

    /** Runs the probe container; empty when it worked, else what went wrong. */
    private Optional<String> probe(OciRuntime runtime, boolean userns) {
        String id = "moat-probe-" + UUID.randomUUID().toString().substring(0, 8);
        BundleLayout bundle = BundleLayout.of(scratch, id);
        try {
            Files.createDirectories(bundle.directory());
            for (String point : List.of("proc", "dev", "sys", "tmp", "opt/moat", "run/moat")) {
                Files.createDirectories(bundle.rootfs().resolve(point));
            }
            Files.createDirectories(bundle.run());
            SandboxPlan plan = new SandboxPlan(
                    id,
                    bundle.rootfs(),
                    List.of("/opt/moat/tini", "--version"),
                    List.of("PATH=/usr/bin:/bin"),
                    "/",
                    new ResourceLimits(500, 256L << 20, 256),
                    List.of(),
                    runtimeDirectory,
                    bundle.run(),
                    userns ? Optional.of(UidRanges.PROBE_BASE) : Optional.empty(),
                    1 << 20,
                    Map.of());
            ContainerConfig.write(plan, bundle.config(), json);
            HostCommand.Result result = runtime.runAttached(bundle, PROBE_TIMEOUT);
            if (result.ok() && result.stdout().contains("tini version")) {
                return Optional.empty();
            }
            return Optional.of(result.describe());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the runtime probe in " + bundle.directory(), e);
        } finally {
            runtime.delete(id);
            Directories.deleteQuietly(bundle.directory());
        }
    }

    static Optional<Path> onPath(String binary) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        List<String> directories = new ArrayList<>(List.of(path.split(":")));
        directories.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        return directories.stream()
                .map(directory -> Path.of(directory, binary))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
