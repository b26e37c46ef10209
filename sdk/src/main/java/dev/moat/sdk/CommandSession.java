package dev.moat.sdk;

/**
 * A bash session: one shell that stays alive between commands, so {@code cd}, {@code export} and shell variables
 * carry over. Closing it ends the shell ({@code DELETE /session/{id}}).
 */
public final class CommandSession implements AutoCloseable {

    private final HttpTransport execd;
    private final String id;

    CommandSession(HttpTransport execd, String id) {
        this.execd = execd;
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Runs a command in the session's shell to its end. */
    public Execution run(String command) {
        return run(command, CommandOptions.defaults(), ExecutionHandler.none());
    }

    public Execution run(String command, ExecutionHandler handler) {
        return run(command, CommandOptions.defaults(), handler);
    }

    /** Only the options' working directory and timeout apply in a session; others are refused. */
    public Execution run(String command, CommandOptions options, ExecutionHandler handler) {
        return ExecutionStream.run(
                execd,
                "/session/" + Urls.segment(id) + "/run",
                options.sessionRequest(Commands.nonBlank(command, "command")),
                handler,
                true);
    }

    /** Ends the session's shell. */
    @Override
    public void close() {
        execd.call("DELETE", "/session/" + Urls.segment(id), null);
    }

    @Override
    public String toString() {
        return "CommandSession[" + id + "]";
    }
}
