package dev.moat.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resource metrics through the SDK, against a real execd. */
class MetricsTest {

    @RegisterExtension
    static final RealExecd real = RealExecd.serving("/metrics", "metrics");

    @Test
    void reportsCpuAndMemoryOfTheMachineOrCgroup() {
        Metrics metrics = real.client().metrics();

        assertThat(metrics.cpuCount()).isPositive();
        assertThat(metrics.cpuUsedPct()).isBetween(0.0, 100.0 * metrics.cpuCount());
        assertThat(metrics.memTotalMib()).isPositive();
        assertThat(metrics.memUsedMib()).isPositive().isLessThanOrEqualTo(metrics.memTotalMib());
        assertThat(metrics.timestamp()).isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now());
    }

    @Test
    void watchStreamsSnapshotsUntilTheConsumerHasEnough() {
        List<Metrics> seen = new ArrayList<>();

        real.client().watchMetrics(metrics -> {
            seen.add(metrics);
            return seen.size() < 3;
        });

        assertThat(seen).hasSize(3);
        assertThat(seen).allSatisfy(metrics -> assertThat(metrics.memTotalMib()).isPositive());
        assertThat(seen.get(2).timestamp()).isAfter(seen.get(0).timestamp());
    }
}
