package dev.moat.execd;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What execd types into a session's bash. The shell is interactive so that Ctrl-C (SIGINT) aborts the running command
 * and the shell itself stays, with its variables, functions and directory. Its own chatter (prompts, job-control
 * notes) goes to /dev/null; commands write their stderr to fd 19, the original stderr pipe.
 *
 * <p>Each run is read into a variable from a here-document and executed by {@code source}-ing a one-line wrapper
 * that evals it (sourced code is not "interactive", so {@code cmd &} prints no job number, and {@code return} works).
 * The shell prints markers around it, on stdout {@code <marker><n>:start} and {@code <marker><n>:end:<status>}, on
 * stderr {@code <marker><n>:end}. The marker holds a random part no command output can guess. Every builtin execd
 * uses is written {@code \builtin}, so that aliases the user defines cannot change it.
 */
final class SessionScript {

    /** The wrapper's content; the file is written once and sourced by every run. */
    static final String WRAPPER = "\\builtin eval \"$__moat_command\"\n";

    private final String marker;
    private final Path wrapper;

    SessionScript(Path wrapper) {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        this.marker = "__moat_" + HexFormat.of().formatHex(random) + "_";
        this.wrapper = wrapper;
    }

    /** The random prefix of every marker this session prints. */
    String marker() {
        return marker;
    }

    /** Quiets the shell and moves its stderr to fd 19; run 0's end markers confirm it is ready. */
    String setup() {
        return "exec 19>&2 2>/dev/null; PS1=''; PS2=''; PS0=''; PROMPT_COMMAND=''; set +o history +H; unset HISTFILE\n"
                + end(0, false);
    }

    /** Runs {@code command}, in {@code cwd} when given (the run's directory only: the session's stays). */
    String run(long run, String command, Optional<Path> cwd) {
        String delimiter = marker + run + "_EOF";
        StringBuilder script = new StringBuilder(command.length() + 512);
        script.append("IFS= \\builtin read -r -d '' __moat_command <<'")
                .append(delimiter)
                .append("'\n")
                .append(command);
        if (!command.endsWith("\n")) {
            script.append('\n');
        }
        script.append(delimiter).append('\n');
        script.append("\\builtin printf '%s\\n' ")
                .append(quote(marker + run + ":start"))
                .append("; ");
        cwd.ifPresent(directory -> script.append("__moat_previous_dir=$PWD; \\builtin cd -- ")
                .append(quote(directory.toString()))
                .append(" 2>&19 && "));
        script.append("\\builtin . ").append(quote(wrapper.toString())).append(" </dev/null 2>&19 19>&-\n");
        script.append(end(run, cwd.isPresent()));
        return script.toString();
    }

    /**
     * The end of a run: its status, back to the session's directory, the end markers. Sent again when an interrupt may
     * have cut the first one short; a marker printed twice is ignored the second time.
     */
    String end(long run, boolean restoreDirectory) {
        return "__moat_status=$?; "
                + (restoreDirectory
                        ? "\\builtin cd -- \"${__moat_previous_dir:-.}\" 2>/dev/null; __moat_previous_dir=; "
                        : "")
                + "\\builtin printf '%s%d\\n' " + quote(marker + run + ":end:") + " \"$__moat_status\"; "
                + "\\builtin printf '%s\\n' " + quote(marker + run + ":end") + " >&19\n";
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
