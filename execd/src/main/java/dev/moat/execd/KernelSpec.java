package dev.moat.execd;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

    /**
     * IPython's SQLite input history, which an ipykernel otherwise writes after every cell: it costs a cell about 4 ms
     * of a 10 ms budget (`./moat bench execd`), and no execd route reads it. {@code In}, {@code Out} and {@code _}
     * live in memory and keep working.
     */
    static final String IPYKERNEL_NO_HISTORY = "--HistoryManager.enabled=False";

    /** The command line for a kernel that reads its ports and key from {@code connectionFile}. */
    List<String> command(Path connectionFile) {
        Stream<String> command = argv.stream()
                .map(arg -> arg.replace("{connection_file}", connectionFile.toString())
                        .replace("{resource_dir}", directory.toString()));
        return isIpykernel()
                ? Stream.concat(command, Stream.of(IPYKERNEL_NO_HISTORY)).toList()
                : command.toList();
    }

    /** Whether this kernel is ipykernel ({@code python -m ipykernel_launcher …}), which takes IPython's options. */
    boolean isIpykernel() {
        return argv.stream().anyMatch(arg -> arg.equals("ipykernel_launcher") || arg.equals("ipykernel"));
    }

    /** How the kernel is named in messages: {@code python3 (/usr/share/jupyter/kernels/python3)}. */
    String describe() {
        return name + " (" + directory + ")";
    }
}
