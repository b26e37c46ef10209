package dev.moat.backend.oci;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moat.core.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Figures about an {@link OciBackend} for benchmarks: the floor of its runtime (a bare container running
 * {@code /bin/true}, with the runtime's own default configuration) and the memory a sandbox's processes use.
 */
public final class OciMeasurements {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private final OciBackend backend;

    private OciMeasurements(OciBackend backend) {
        this.backend = backend;
    }

    /** Measurements of {@code backend}, which must be an {@code oci} or {@code gvisor} backend. */
    public static OciMeasurements of(Backend backend) {
        if (!(backend instanceof OciBackend oci)) {
            throw new IllegalArgumentException("not an OCI backend: " + backend.name());
        }
        return new OciMeasurements(oci);
    }

    /** The runtime's name ({@code runc}, {@code crun}, {@code runsc}). */
    public String runtimeName() {
        return backend.runtime().kind().binary;
    }

    /**
     * Runs {@code /bin/true} from {@code rootfs} in a container made from the runtime's default {@code spec} (no
     * overlay, no user namespace, no seccomp profile, no limits) and returns how long the runtime took.
     */
    public Duration bareRun(Path rootfs) {
        String id = "bare-" + UUID.randomUUID().toString().substring(0, 8);
        BundleLayout bundle = BundleLayout.of(backend.sandboxesDirectory().resolveSibling("probe"), id);
        OciRuntime runtime = backend.runtime();
        try {
            Files.createDirectories(bundle.directory());
            HostCommand.Result spec = HostCommand.run(
                    List.of(
                            runtime.binary().toString(),
                            "spec",
                            "--bundle",
                            bundle.directory().toString()),
                    RUN_TIMEOUT);
            if (!spec.ok()) {
                throw new IllegalStateException(spec.describe());
            }
            ObjectNode config =
                    (ObjectNode) OciBackendFactory.JSON.readTree(bundle.config().toFile());
            ((ObjectNode) config.path("process"))
                    .put("terminal", false)
                    .putArray("args")
                    .add("/bin/true");
            config.putObject("root").put("path", rootfs.toString()).put("readonly", true);
            OciBackendFactory.JSON.writeValue(bundle.config().toFile(), config);
            long start = System.nanoTime();
            HostCommand.Result result = runtime.runAttached(bundle, RUN_TIMEOUT);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (!result.ok()) {
                throw new IllegalStateException(result.describe());
            }
            return took;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            runtime.delete(id);
            Directories.deleteQuietly(bundle.directory());
        }
    }

    /**
     * Runs {@code args} in the running sandbox {@code id} with the runtime's {@code exec} (as the sandbox's own user,
     * in its namespaces and cgroup) and returns how long the runtime took, start of the runtime binary to its exit.
     */
    public Duration exec(String id, List<String> args) {
        long start = System.nanoTime();
        HostCommand.Result result = backend.runtime().exec(id, args, RUN_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!result.ok()) {
            throw new IllegalStateException(result.describe());
        }
        return took;
    }

    /** The proportional set size of all the sandbox's processes together, in bytes. */
    public long pssBytes(String id) {
        long total = 0;
        for (long pid : backend.cgroups().processes(id)) {
            total += processPssBytes(pid);
        }
        return total;
    }

    /** PSS of one process, from {@code /proc/<pid>/smaps_rollup}; 0 when it is gone. */
    public static long processPssBytes(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")).stream()
                            .filter(line -> line.startsWith("Pss:"))
                            .mapToLong(line -> Long.parseLong(line.split("\\s+")[1]))
                            .sum()
                    * 1024;
        } catch (IOException e) {
            return 0; // the process exited while we looked
        }
    }
}
