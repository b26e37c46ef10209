package dev.moat.core.spi;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;

/**
 * CPU, memory and process limits of a sandbox. Zero means unlimited.
 *
 * @param cpuMillis CPU time per wall-clock second, in thousandths of a core ({@code 500} = half a core)
 * @param memoryBytes memory limit (the sandbox is OOM-killed inside beyond it)
 * @param pids the most processes and threads that may exist at once
 */
public record ResourceLimits(long cpuMillis, long memoryBytes, long pids) {

    public static final ResourceLimits UNLIMITED = new ResourceLimits(0, 0, 0);

    public ResourceLimits {
        if (cpuMillis < 0 || memoryBytes < 0 || pids < 0) {
            throw new SandboxException(SandboxException.Kind.INVALID_SPEC, "resource limits cannot be negative");
        }
    }

    /**
     * Parses Kubernetes-style limits: {@code cpu} ({@code "500m"}, {@code "2"}, {@code "0.5"}), {@code memory}
     * ({@code "512Mi"}, {@code "1Gi"}, {@code "1G"}, {@code "1048576"}) and {@code pids} ({@code "256"}). Keys other
     * than these (such as {@code gpu}) are refused, since Moat cannot honour them.
     */
    public static ResourceLimits parse(Map<String, String> limits) {
        long cpu = 0;
        long memory = 0;
        long pids = 0;
        for (Map.Entry<String, String> entry : limits.entrySet()) {
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            switch (entry.getKey()) {
                case "cpu" -> cpu = parseCpu(value);
                case "memory" -> memory = parseBytes("memory", value);
                case "pids" -> pids = parseCount("pids", value);
                default ->
                    throw invalid(
                            "resource '" + entry.getKey() + "' is not supported; Moat limits cpu, memory and pids");
            }
        }
        return new ResourceLimits(cpu, memory, pids);
    }

    /** These limits with every zero field taken from {@code defaults}. */
    public ResourceLimits orElse(ResourceLimits defaults) {
        return new ResourceLimits(
                cpuMillis == 0 ? defaults.cpuMillis : cpuMillis,
                memoryBytes == 0 ? defaults.memoryBytes : memoryBytes,
                pids == 0 ? defaults.pids : pids);
    }

    static long parseCpu(String value) {
        try {
            BigDecimal millis = value.endsWith("m")
                    ? new BigDecimal(value.substring(0, value.length() - 1))
                    : new BigDecimal(value).movePointRight(3);
            long result = millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            if (result <= 0) {
                throw invalid("cpu limit must be positive, got '" + value + "'");
            }
            return result;
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid("cpu limit '" + value + "' is not a quantity like \"500m\", \"2\" or \"0.5\"");
        }
    }

    private static final Map<String, Long> SUFFIXES = Map.ofEntries(
            Map.entry("", 1L),
            Map.entry("k", 1000L),
            Map.entry("M", 1000L * 1000),
            Map.entry("G", 1000L * 1000 * 1000),
            Map.entry("T", 1000L * 1000 * 1000 * 1000),
            Map.entry("Ki", 1024L),
            Map.entry("Mi", 1024L * 1024),
            Map.entry("Gi", 1024L * 1024 * 1024),
            Map.entry("Ti", 1024L * 1024 * 1024 * 1024));

    static long parseBytes(String name, String value) {
        int split = value.length();
        while (split > 0 && Character.isLetter(value.charAt(split - 1))) {
            split--;
        }
        Long factor = SUFFIXES.get(value.substring(split));
        if (factor == null || split == 0) {
            throw invalid(name + " limit '" + value + "' is not a quantity like \"512Mi\", \"1Gi\" or \"1000000\"");
        }
        try {
            long result = new BigDecimal(value.substring(0, split))
                    .multiply(BigDecimal.valueOf(factor))
                    .setScale(0, java.math.RoundingMode.CEILING)
                    .longValueExact();
            if (result <= 0) {
                throw invalid(name + " limit must be positive, got '" + value + "'");
            }
            return result;
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(name + " limit '" + value + "' is not a quantity like \"512Mi\", \"1Gi\" or \"1000000\"");
        }
    }

    private static long parseCount(String name, String value) {
        try {
            long result = Long.parseLong(value);
            if (result <= 0) {
                throw invalid(name + " limit must be positive, got '" + value + "'");
            }
            return result;
        } catch (NumberFormatException e) {
            throw invalid(name + " limit '" + value + "' is not a whole number");
        }
    }

    private static SandboxException invalid(String message) {
        return new SandboxException(SandboxException.Kind.INVALID_SPEC, message);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "cpu=%s memory=%s pids=%s",
                cpuMillis == 0 ? "unlimited" : cpuMillis + "m",
                memoryBytes == 0 ? "unlimited" : memoryBytes + "B",
                pids == 0 ? "unlimited" : pids);
    }
}
