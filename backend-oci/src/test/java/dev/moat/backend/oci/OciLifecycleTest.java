package dev.moat.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.ResourceUsage;
import dev.moat.core.spi.SandboxException;
import dev.moat.core.spi.SandboxInfo;
import dev.moat.core.spi.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLifecycleTest {

    private static TestBackend sandboxes;

    @BeforeAll
    static void start() {
        sandboxes = TestBackend.start();
    }

    @AfterAll
    static void stop() {
        if (sandboxes != null) {
            sandboxes.close();
        }
    }

    @Test
    void sandboxRunsPausesResumesStopsAndIsRemovedWithoutATrace() throws Exception {
        OciBackend backend = sandboxes.backend();
        SandboxSpec spec = TestBackend.spec()
                .limits(TestBackend.limits("1", "512Mi", "256"))
                .build();
        String id = spec.id();

        SandboxInfo info = sandboxes.createReady(spec);
        assertThat(info.state()).isEqualTo(SandboxInfo.State.RUNNING);
        assertThat(backend.execdEndpoint(id)).isEqualTo(new ExecdEndpoint.UnixSocket(sandboxes.socket(id)));
        assertThat(backend.cgroups().directories(id)).isNotEmpty();
        assertThat(LinuxMounts.mountsUnder(bundle(id)))
                .containsExactly(bundle(id).resolve("rootfs"));

        backend.pause(id);
        assertThat(backend.inspect(id).orElseThrow().state()).isEqualTo(SandboxInfo.State.PAUSED);
        assertThat(backend.cgroups().frozen(id)).isTrue();
        assertThat(ExecdPing.ping(sandboxes.socket(id), Duration.ofMillis(500)))
                .as("a frozen execd does not answer")
                .isFalse();
        backend.pause(id); // pausing a paused sandbox does nothing

        backend.resume(id);
        assertThat(backend.cgroups().frozen(id)).isFalse();
        assertThat(ExecdPing.await(sandboxes.socket(id), Duration.ofSeconds(30)))
                .isTrue();
        assertThat(backend.inspect(id).orElseThrow().state()).isEqualTo(SandboxInfo.State.RUNNING);

        backend.stop(id);
        assertThat(backend.inspect(id).orElseThrow().state()).isEqualTo(SandboxInfo.State.STOPPED);
        assertThatThrownBy(() -> backend.pause(id))
                .isInstanceOfSatisfying(
                        SandboxException.class, e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.CONFLICT));

        backend.remove(id);
        assertLeftNothing(backend, id);
        backend.remove(id); // idempotent
    }

    @Test
    void removeOfARunningSandboxLeavesNothing() {
        OciBackend backend = sandboxes.backend();
        SandboxSpec spec = TestBackend.spec().build();
        sandboxes.createReady(spec);

        backend.remove(spec.id());

        assertLeftNothing(backend, spec.id());
    }

    @Test
    void labelsAndStateAreFoundByANewBackendInstance() {
        SandboxSpec spec = TestBackend.spec()
                .label("team", "blue")
                .label("purpose", "list-test")
                .build();
        sandboxes.createReady(spec);

        try (OciBackend restarted = TestBackend.newBackend()) {
            assertThat(restarted.list(Map.of("purpose", "list-test")))
                    .singleElement()
                    .satisfies(info -> {
                        assertThat(info.id()).isEqualTo(spec.id());
                        assertThat(info.image()).isEqualTo(TestImages.BASE);
                        assertThat(info.state()).isEqualTo(SandboxInfo.State.RUNNING);
                        assertThat(info.labels())
                                .containsEntry("team", "blue")
                                .containsEntry(OciBackend.OWNER_LABEL, OciBackend.OWNER);
                    });
            assertThat(restarted.list(Map.of(OciBackend.OWNER_LABEL, OciBackend.OWNER)))
                    .extracting(SandboxInfo::id)
                    .contains(spec.id());
            assertThat(restarted.list(Map.of("purpose", "list-test", "team", "red")))
                    .isEmpty();
            assertThat(restarted.inspect(spec.id()))
                    .map(SandboxInfo::labels)
                    .hasValueSatisfying(labels -> assertThat(labels).containsEntry("purpose", "list-test"));
            assertThat(restarted.inspect("t-no-such-sandbox")).isEmpty();
        }
    }

    @Test
    void usageComesFromTheSandboxCgroup() {
        OciBackend backend = sandboxes.backend();
        SandboxSpec spec = TestBackend.spec()
                .limits(TestBackend.limits("1", "256Mi", "100"))
                .build();
        sandboxes.createReady(spec);

        ResourceUsage usage = backend.usage(spec.id());

        assertThat(usage.memoryLimitBytes()).isEqualTo(256L << 20);
        assertThat(usage.memoryBytes()).isPositive().isLessThan(256L << 20);
        assertThat(usage.cpuNanos()).isPositive();
        assertThat(usage.pids()).isBetween(2L, 100L); // tini, execd and its threads
    }

    @Test
    void anUnknownImageIsImageNotFoundAndLeavesNothing() {
        SandboxSpec spec = TestBackend.spec().image("moat/nope:1").build();

        assertThatThrownBy(() -> sandboxes.create(spec)).isInstanceOfSatisfying(SandboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(SandboxException.Kind.IMAGE_NOT_FOUND);
            assertThat(e.getMessage()).contains("moat/nope:1");
        });
        assertThat(bundle(spec.id())).doesNotExist();
    }

    @Test
    void badSpecsAreRefusedBeforeAnythingIsCreated(@TempDir Path directory) {
        assertInvalid(TestBackend.spec().mount(directory, "/opt/moat", true), "reserved");
        assertInvalid(TestBackend.spec().mount(directory, "/proc/x", true), "reserved");
        assertInvalid(TestBackend.spec().mount(directory, "/data/../etc", true), "normalised");
        assertInvalid(TestBackend.spec().mount(directory.resolve("missing"), "/data", true), "does not exist");
        assertInvalid(
                TestBackend.spec().mount(directory, "/data", true).mount(directory, "/data", false), "two mounts");
        assertInvalid(TestBackend.spec().env("A=B", "c"), "environment variable");
        assertThatThrownBy(() -> TestBackend.limits("-1", "1Mi", "1")).isInstanceOf(SandboxException.class);
    }

    @Test
    void aSecondSandboxWithTheSameIdIsAConflict() {
        SandboxSpec spec = TestBackend.spec().build();
        sandboxes.create(spec);

        assertThatThrownBy(() -> sandboxes.backend().create(spec))
                .isInstanceOfSatisfying(
                        SandboxException.class, e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.CONFLICT));
        assertThat(sandboxes.backend().inspect(spec.id())).isPresent();
    }

    @Test
    void aCreateTheRuntimeRefusesIsCleanedUp(@TempDir Path directory) throws Exception {
        // Binding a regular file over a directory of the image makes the runtime fail half-way through.
        Path file = Files.writeString(directory.resolve("file"), "x");
        SandboxSpec spec = TestBackend.spec().mount(file, "/etc", false).build();

        assertThatThrownBy(() -> sandboxes.create(spec)).isInstanceOfSatisfying(SandboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(SandboxException.Kind.FAILED);
            assertThat(e.getMessage()).contains(spec.id()).contains("could not start");
        });
        assertLeftNothing(sandboxes.backend(), spec.id());
    }

    @Test
    void operationsOnAnUnknownSandboxAreNotFound() {
        OciBackend backend = sandboxes.backend();
        for (var call : new org.assertj.core.api.ThrowableAssert.ThrowingCallable[] {
            () -> backend.pause("t-unknown"),
            () -> backend.resume("t-unknown"),
            () -> backend.stop("t-unknown"),
            () -> backend.usage("t-unknown"),
            () -> backend.execdEndpoint("t-unknown")
        }) {
            assertThatThrownBy(call)
                    .isInstanceOfSatisfying(
                            SandboxException.class,
                            e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.NOT_FOUND));
        }
        backend.remove("t-unknown");
        backend.remove("../../etc");
    }

    @Test
    void theWorkspaceIsWritableInsideAndSurvivesTheSandbox(@TempDir Path workspace) throws Exception {
        SandboxSpec spec =
                TestBackend.spec().mount(workspace, "/workspace", false).build();
        sandboxes.createReady(spec);

        HostCommand.Result result = sandboxes.shell(spec.id(), "pwd; echo kept > /workspace/out.txt; id -u");

        assertThat(result.ok()).as(result.describe()).isTrue();
        sandboxes.backend().remove(spec.id());
        assertThat(workspace.resolve("out.txt")).hasContent("kept");
        if (sandboxes.backend().userNamespaces()) {
            // On disk, container root is the workspace owner of the Moat range, not host root.
            assertThat(Files.getAttribute(workspace.resolve("out.txt"), "unix:uid"))
                    .isEqualTo((int) UidRanges.workspaceBase());
        }
    }

    @Test
    void theBackendDescribesItsRuntime() {
        assertThat(sandboxes.backend().describe()).containsAnyOf("runc", "crun").contains("cgroup");
        assertThat(sandboxes.backend().images()).contains(TestImages.BASE);
        assertThat(sandboxes.backend().name()).isEqualTo("oci");
    }

    private static void assertInvalid(TestSpec spec, String message) {
        SandboxSpec built = spec.build();
        assertThatThrownBy(() -> sandboxes.create(built)).isInstanceOfSatisfying(SandboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(SandboxException.Kind.INVALID_SPEC);
            assertThat(e.getMessage()).contains(message);
        });
        assertThat(bundle(built.id())).doesNotExist();
    }

    static Path bundle(String id) {
        return sandboxes.backend().sandboxesDirectory().resolve(id);
    }

    /** No process, mount, cgroup, runtime state or directory of the sandbox is left on the host. */
    static void assertLeftNothing(OciBackend backend, String id) {
        assertThat(backend.inspect(id)).isEmpty();
        assertThat(backend.sandboxesDirectory().resolve(id)).doesNotExist();
        assertThat(LinuxMounts.mountsUnder(backend.sandboxesDirectory().resolve(id)))
                .isEmpty();
        assertThat(backend.cgroups().directories(id)).isEmpty();
        assertThat(backend.runtime().state(id)).isEmpty();
        assertThat(backend.runtime().list()).doesNotContainKey(id);
    }
}
