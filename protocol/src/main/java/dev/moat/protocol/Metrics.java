package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A snapshot of the sandbox's resource use ({@code GET /metrics}); memory in MiB, time in Unix milliseconds. */
public record Metrics(
        @JsonProperty("cpu_count") double cpuCount,
        @JsonProperty("cpu_used_pct") double cpuUsedPct,
        @JsonProperty("mem_total_mib") double memTotalMib,
        @JsonProperty("mem_used_mib") double memUsedMib,
        long timestamp) {}
