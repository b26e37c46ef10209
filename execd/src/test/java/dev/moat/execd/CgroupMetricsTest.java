package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moat.protocol.Metrics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** execd in a cgroup of its own, with real limits and real CPU load. Needs root (skipped otherwise). */
class CgroupMetricsTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void metricsReportTheCpuQuotaAndMemoryLimitOfExecdsCgroup() throws Exception {
        try (TestCgroup cgroup = TestCgroup.create(0.5, 256 * MIB);
                ExecdProcess execd = ExecdProcess.start()) {
            cgroup.add(execd.process().pid());

            Metrics metrics = execd.client().get("/metrics").json(Metrics.class);

            assertThat(metrics.cpuCount()).isEqualTo(0.5);
            assertThat(metrics.memTotalMib()).isEqualTo(256.0);
            assertThat(metrics.memUsedMib()).isBetween(0.0, 256.0);
        }
    }

    @Test
    void aCpuBurningShellRaisesCpuUsedPctAndStoppingItLowersIt() throws Exception {
        try (TestCgroup cgroup = TestCgroup.create(0.5, 256 * MIB);
                ExecdProcess execd = ExecdProcess.start()) {
            cgroup.add(execd.process().pid());
            // the loop ends by itself if this JVM dies, so that no burner outlives the test
            Process burner = new ProcessBuilder("sh", "-c", "p=$PPID; while [ -d /proc/$p ]; do :; done").start();
            try {
                cgroup.add(burner.pid());
                await().atMost(Duration.ofSeconds(60)).until(() -> cpuUsedPct(execd) > 50);
            } finally {
                burner.destroyForcibly().waitFor();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> cpuUsedPct(execd) < 50);
        }
    }

    private static double cpuUsedPct(ExecdProcess execd) throws Exception {
        return execd.client().get("/metrics").json(Metrics.class).cpuUsedPct();
    }
}
