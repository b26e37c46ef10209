package dev.moat.execd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The programs execd starts commands with, found once at start-up: the shell ({@code bash}, else {@code sh}),
 * {@code setpriv} (to run as another uid) and {@code setsid} (used only by the {@link ProcessBuilderLauncher}). Paths
 * are absolute, so a command's own PATH never changes them.
 */
record ShellPrograms(Path shell, Optional<Path> bash, Optional<Path> setsid, Optional<Path> setpriv) {

    private static final List<String> STANDARD_DIRECTORIES =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    static ShellPrograms find(Map<String, String> environment) {
        Set<String> directories = new LinkedHashSet<>();
        String path = environment.getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isBlank()) {
                directories.add(directory);
            }
        }
        directories.addAll(STANDARD_DIRECTORIES);
        Optional<Path> bash = find("bash", directories);
        Path shell = bash.or(() -> find("sh", directories))
                .orElseThrow(() -> new IllegalStateException("neither bash nor sh is installed: execd cannot run"
                        + " commands; install bash in the sandbox image"));
        return new ShellPrograms(shell, bash, find("setsid", directories), find("setpriv", directories));
    }

    private static Optional<Path> find(String name, Set<String> directories) {
        for (String directory : directories) {
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code [setpriv …] shell -c command}. */
    List<String> shellCommand(String command, Optional<RunAs> user) {
        return launch(List.of(shell.toString(), "-c", command), user);
    }

    /** {@code [setpriv …] argv…}: a program started directly, such as the entrypoint. */
    List<String> launch(List<String> argv, Optional<RunAs> user) {
        List<String> line = new ArrayList<>();
        if (user.isPresent()) {
            Path program = setpriv.orElseThrow(() -> ExecdError.NOT_SUPPORTED.exception(
                    "setpriv (util-linux) is not installed in this sandbox, so commands cannot run as another"
                            + " uid; install util-linux or leave uid out"));
            line.add(program.toString());
            line.addAll(user.get().setprivOptions());
            line.add("--");
        }
        line.addAll(argv);
        return line;
    }
}
