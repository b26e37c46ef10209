package dev.moat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Proportional set size of a process, from {@code /proc/<pid>/smaps_rollup}. */
final class ProcessMemory {

    private ProcessMemory() {}

    /** PSS in bytes; 0 when the process is gone. */
    static long pssBytes(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")).stream()
                            .filter(line -> line.startsWith("Pss:"))
                            .mapToLong(line -> Long.parseLong(line.split("\\s+")[1]))
                            .sum()
                    * 1024;
        } catch (IOException e) {
            return 0; // the process exited while we looked
        }
    }
}
