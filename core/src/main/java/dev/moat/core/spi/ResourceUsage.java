package dev.moat.core.spi;

/**
 * Resource use of one sandbox at one moment.
 *
 * @param cpuNanos CPU time used since the sandbox started, all cores together
 * @param memoryBytes memory in use now (as the cgroup counts it)
 * @param memoryLimitBytes the memory limit, 0 when unlimited
 * @param pids processes and threads alive now
 * @param timestampMillis when this was read, Unix milliseconds
 */
public record ResourceUsage(long cpuNanos, long memoryBytes, long memoryLimitBytes, long pids, long timestampMillis) {}
