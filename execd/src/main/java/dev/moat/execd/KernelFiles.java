package dev.moat.execd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the small text files of {@code /proc}, {@code /sys} and cgroup file systems. A file that is missing, unreadable
 * or not in the expected shape reads as empty: metrics degrade, they never fail.
 */
final class KernelFiles {

    private KernelFiles() {}

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A file holding one integer, such as {@code memory.max}; empty for anything else (including "max"). */
    static Optional<Long> readLong(Path file) {
        return read(file).flatMap(text -> parseLong(text.trim()));
    }

    /**
     * The integer after {@code key} in a file of {@code key value [unit]} lines, such as {@code memory.stat},
     * {@code cpu.stat} or {@code /proc/meminfo} (whose keys end with a colon).
     */
    static Optional<Long> field(Path file, String key) {
        return read(file).flatMap(text -> {
            for (String line : text.split("\n")) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals(key)) {
                    return parseLong(words[1]);
                }
            }
            return Optional.empty();
        });
    }

    static Optional<Long> parseLong(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
