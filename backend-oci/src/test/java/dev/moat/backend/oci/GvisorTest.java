package dev.moat.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moat.core.spi.SandboxInfo;
import dev.moat.core.spi.SandboxSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code gvisor} deployment: the same backend with runsc, whose sandboxes run on gVisor's own kernel. */
class GvisorTest {

    private static TestBackend sandboxes;

    @BeforeAll
    static void start() {
        assumeTrue(RuntimeDetector.onPath("runsc").isPresent(), "runsc (gVisor) is not installed");
        sandboxes = TestBackend.start("gvisor");
    }

    @AfterAll
    static void stop() {
        if (sandboxes != null) {
            sandboxes.close();
        }
    }

    @Test
    void aGvisorSandboxServesExecdRunsOnGvisorsKernelAndIsRemovedWithoutATrace() {
        OciBackend backend = sandboxes.backend();
        SandboxSpec spec = TestBackend.spec()
                .limits(TestBackend.limits("1", "512Mi", "256"))
                .build();

        sandboxes.createReady(spec);
        HostCommand.Result kernel = sandboxes.shell(spec.id(), "dmesg 2>/dev/null | head -1; uname -r");

        assertThat(backend.describe()).startsWith("runsc");
        assertThat(kernel.stdout()).contains("gVisor");
        assertThat(backend.inspect(spec.id()).orElseThrow().state()).isEqualTo(SandboxInfo.State.RUNNING);
        backend.remove(spec.id());
        OciLifecycleTest.assertLeftNothing(backend, spec.id());
    }
}
