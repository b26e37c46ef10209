package dev.moat.sdk;

import java.time.Instant;

/**
 * A snapshot of a sandbox's resource use ({@code GET /metrics}).
 *
 * @param cpuCount the CPUs the sandbox may use (fractional under a CPU limit)
 * @param cpuUsedPct CPU use in percent of {@code cpuCount}
 * @param memTotalMib the memory the sandbox may use, MiB
 * @param memUsedMib the memory it uses, MiB
 * @param timestamp when the snapshot was taken
 */
public record Metrics(double cpuCount, double cpuUsedPct, double memTotalMib, double memUsedMib, Instant timestamp) {

    static Metrics read(Object json) {
        JsonObject metrics = JsonObject.of(json, "the metrics");
        return new Metrics(
                metrics.doubleValue("cpu_count"),
                metrics.doubleValue("cpu_used_pct"),
                metrics.doubleValue("mem_total_mib"),
                metrics.doubleValue("mem_used_mib"),
                Instant.ofEpochMilli(metrics.longValue("timestamp")));
    }
}
