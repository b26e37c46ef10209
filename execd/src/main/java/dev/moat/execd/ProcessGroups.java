package dev.moat.execd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Process groups for the programs execd starts, so that an interrupt or a kill reaches everything a program started:
 * {@link #leaderPrefix} makes a new process lead its own group ({@code setsid}); {@link ProcessGroup} signals it.
 */
final class ProcessGroups {

    private static final Optional<Path> SETSID = executable("/usr/bin/setsid", "/bin/setsid");

    private ProcessGroups() {}

    /** The words to put before a command so that it leads a new process group; empty where setsid is missing. */
    static List<String> leaderPrefix() {
        return SETSID.map(path -> List.of(path.toString())).orElse(List.of());
    }

    /** Whether {@link #leaderPrefix} really starts a new group on this machine. */
    static boolean available() {
        return SETSID.isPresent();
    }

    /** The first of {@code candidates} that is an executable file. */
    static Optional<Path> executable(String... candidates) {
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }
}
