package dev.moat.execd;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to start: a program and its arguments ({@code argv[0]} is looked up on PATH unless it has a slash), variables
 * set over execd's own environment, a working directory (else execd's), whether execd writes to its stdin (else
 * /dev/null), and where its output goes: two pipes execd reads, or one log file that stdout and stderr append to.
 */
record Launch(
        List<String> argv,
        Map<String, String> environment,
        Optional<Path> cwd,
        boolean pipeStdin,
        Optional<Path> outputFile) {

    Launch {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
    }
}
