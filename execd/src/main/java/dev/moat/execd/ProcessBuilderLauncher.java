package dev.moat.execd;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts processes with the JDK's ProcessBuilder, behind {@code setsid} so that each leads its own process group.
 * The fallback for C libraries that the posix_spawn launcher cannot use.
 */
final class ProcessBuilderLauncher implements ProcessLauncher {

    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private final ShellPrograms programs;

    ProcessBuilderLauncher(ShellPrograms programs) {
        this.programs = programs;
        if (programs.setsid().isEmpty()) {
            java.util.logging.Logger.getLogger(ProcessBuilderLauncher.class.getName())
                    .warning("setsid (util-linux) is not installed: commands share execd's process group, and an"
                            + " interrupt reaches only the shell, not its children");
        }
    }

    @Override
    public boolean ownProcessGroups() {
        return programs.setsid().isPresent();
    }

    @Override
    public ChildProcess launch(Launch launch) throws IOException {
        // posix_spawn resets every signal in the child; ProcessBuilder passes on what execd ignores
        IgnoredSignals.stopPassingOn();
        List<String> command = new ArrayList<>();
        programs.setsid().ifPresent(setsid -> command.add(setsid.toString()));
        command.addAll(launch.argv());
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!launch.pipeStdin()) {
            builder.redirectInput(NO_INPUT);
        }
        launch.outputFile()
                .ifPresent(file -> builder.redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(file.toFile())));
        launch.cwd().ifPresent(directory -> builder.directory(directory.toFile()));
        if (!launch.environment().isEmpty()) {
            builder.environment().putAll(launch.environment());
        }
        Process process = builder.start();
        return new Started(process, process.onExit().thenApply(Process::exitValue));
    }

    private record Started(Process process, CompletableFuture<Integer> exit) implements ChildProcess {

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }
    }
}
