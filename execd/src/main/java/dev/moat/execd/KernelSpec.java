package dev.moat.execd;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One installed Jupyter kernel, as its {@code kernel.json} describes it: the command that starts it (with
 * {@code {connection_file}} and {@code {resource_dir}} placeholders), extra environment, the language it speaks and
 * how it wants to be interrupted.
 */
record KernelSpec(
        String name,
        String displayName,
        String language,
        List<String> argv,
        Map<String, String> env,
        InterruptMode interruptMode,
        Path directory) {

    /** How a running cell is interrupted: SIGINT to the kernel, or an {@code interrupt_request} on control. */
    enum InterruptMode {
        SIGNAL,
        MESSAGE
    }

    KernelSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /** The command line for a kernel that reads its ports and key from {@code connectionFile}. */
    List<String> command(Path connectionFile) {
        return argv.stream()
                .map(arg -> arg.replace("{connection_file}", connectionFile.toString())
                        .replace("{resource_dir}", directory.toString()))
                .toList();
    }

    /** How the kernel is named in messages: {@code python3 (/usr/share/jupyter/kernels/python3)}. */
    String describe() {
        return name + " (" + directory + ")";
    }
}
