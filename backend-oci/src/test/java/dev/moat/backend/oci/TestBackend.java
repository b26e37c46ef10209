package dev.moat.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moat.core.spi.BackendSettings;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.core.spi.SandboxInfo;
import dev.moat.core.spi.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real {@link OciBackend} on the test home for one test class: skips the class when this host cannot run it (not
 * root, no runtime), creates sandboxes that are ready (execd answers), and removes every sandbox it made on close.
 */
final class TestBackend implements AutoCloseable {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final OciBackend backend;
    private final List<String> created = new ArrayList<>();

    private TestBackend(OciBackend backend) {
        this.backend = backend;
    }

    static TestBackend start() {
        assumeTrue(
                RuntimeDetector.onPath("runc").isPresent()
                        || RuntimeDetector.onPath("crun").isPresent(),
                "neither crun nor runc is installed");
        return start("oci");
    }

    static TestBackend start(String deployment) {
        assumeTrue(OciBackendFactory.isRoot(), "the oci backend tests run real containers and need root");
        TestImages.base();
        return new TestBackend((OciBackend) new OciBackendFactory().create(settings(deployment)));
    }

    /** Another backend object on the same home, as a restarted server would make. */
    static OciBackend newBackend() {
        return (OciBackend) new OciBackendFactory().create(settings("oci"));
    }

    static BackendSettings settings(String deployment) {
        return new BackendSettings(deployment, TestImages.home(), runtimeDirectory(), Map.of());
    }

    static Path runtimeDirectory() {
        return Path.of(System.getProperty("moat.runtime", "../execd/target/opt-moat"))
                .toAbsolutePath()
                .normalize();
    }

    OciBackend backend() {
        return backend;
    }

    static String newId() {
        return "t-" + UUID.randomUUID().toString().substring(0, 12);
    }

    static TestSpec spec() {
        return new TestSpec(newId());
    }

    /** Creates the sandbox and waits until its execd answers. */
    SandboxInfo createReady(SandboxSpec spec) {
        SandboxInfo info = create(spec);
        assertThat(ExecdPing.await(socket(spec.id()), READY_TIMEOUT))
                .as("execd of %s answers /ping", spec.id())
                .isTrue();
        return info;
    }

    SandboxInfo create(SandboxSpec spec) {
        created.add(spec.id());
        return backend.create(spec);
    }

    Path socket(String id) {
        return backend.sandboxesDirectory().resolve(id).resolve("run/execd.sock");
    }

    /**
     * Runs {@code script} with sh inside the sandbox, as its processes run: same namespaces, user, capabilities,
     * seccomp filter and cgroups (the runtime's {@code exec} takes them from the container's configuration).
     */
    HostCommand.Result shell(String id, String script) {
        return backend.runtime().exec(id, List.of("/bin/sh", "-c", script), Duration.ofSeconds(60));
    }

    /** Runs a Python program inside the sandbox, like {@link #shell}. */
    HostCommand.Result python(String id, String program) {
        return backend.runtime().exec(id, List.of("python3", "-c", program), Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        created.forEach(backend::remove);
        backend.close();
    }

    static ResourceLimits limits(String cpu, String memory, String pids) {
        return ResourceLimits.parse(Map.of("cpu", cpu, "memory", memory, "pids", pids));
    }

    static boolean exists(Path path) {
        return Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
