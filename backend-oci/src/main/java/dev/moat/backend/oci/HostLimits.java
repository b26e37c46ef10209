package dev.moat.backend.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resource limits of this process, which bound what a sandbox may be given: in a user namespace the runtime cannot
 * raise a hard limit above its own.
 */
final class HostLimits {

    private static final long FALLBACK_OPEN_FILES = 1024;

    private HostLimits() {}

    /** The hard RLIMIT_NOFILE of this process (inherited by the runtime it starts). */
    static long openFilesHardLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] fields =
                            line.substring("Max open files".length()).trim().split("\\s+");
                    return fields[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return FALLBACK_OPEN_FILES;
        }
        return FALLBACK_OPEN_FILES;
    }
}
