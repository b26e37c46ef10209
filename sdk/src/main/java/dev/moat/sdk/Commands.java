package dev.moat.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Shell commands in a sandbox ({@code bash -c}): run in the foreground with output streamed to a handler, start in the
 * background and poll, interrupt, and sessions whose shell keeps its state between commands. Obtained from
 * {@link Sandbox#commands()} or {@link ExecdClient#commands()}; safe for concurrent use.
 */
public final class Commands {

    static final String TAIL_CURSOR_HEADER = "EXECD-COMMANDS-TAIL-CURSOR";

    private final HttpTransport execd;

    Commands(HttpTransport execd) {
        this.execd = execd;
    }

    /** Runs a command to its end. A non-zero exit is not an exception: see {@link Execution#exitCode()}. */
    public Execution run(String command) {
        return run(command, CommandOptions.defaults(), ExecutionHandler.none());
    }

    public Execution run(String command, CommandOptions options) {
        return run(command, options, ExecutionHandler.none());
    }

    /** Runs a command to its end, passing each line of output to {@code handler} as it is printed. */
    public Execution run(String command, ExecutionHandler handler) {
        return run(command, CommandOptions.defaults(), handler);
    }

    public Execution run(String command, CommandOptions options, ExecutionHandler handler) {
        return ExecutionStream.run(
                execd, "/command", options.commandRequest(nonBlank(command, "command"), false), handler, true);
    }

    /**
     * Starts a command in the background and returns its id at once; follow it with {@link #status}, {@link #logs}
     * and stop it with {@link #interrupt}.
     */
    public String start(String command) {
        return start(command, CommandOptions.defaults());
    }

    public String start(String command, CommandOptions options) {
        Execution started = ExecutionStream.run(
                execd,
                "/command",
                options.commandRequest(nonBlank(command, "command"), true),
                ExecutionHandler.none(),
                true);
        if (started.error().isPresent()) {
            ExecutionError error = started.error().get();
            throw SandboxApiException.local(
                    SandboxApiException.COMMAND_NOT_STARTED,
                    "the background command did not start: " + error.name() + ": " + error.value(),
                    null);
        }
        if (started.id().isEmpty()) {
            throw SandboxApiException.local(
                    SandboxApiException.UNEXPECTED_RESPONSE,
                    "the server started the background command without telling its id (no init event text)",
                    null);
        }
        return started.id();
    }

    /** Stops a running command: its whole process group gets SIGTERM, then SIGKILL. */
    public void interrupt(String commandId) {
        execd.call("DELETE", "/command" + new Urls.Query().add("id", nonBlank(commandId, "commandId")), null);
    }

    public CommandStatus status(String commandId) {
        return execd.json(
                "GET", "/command/status/" + Urls.segment(nonBlank(commandId, "commandId")), null, CommandStatus::read);
    }

    /** All output of a background command so far. */
    public CommandLogs logs(String commandId) {
        return logs(commandId, new Urls.Query());
    }

    /** Output of a background command after line {@code cursor} (the cursor of a previous {@link CommandLogs}). */
    public CommandLogs logs(String commandId, long cursor) {
        if (cursor < 0) {
            throw new IllegalArgumentException("cursor must not be negative, got " + cursor);
        }
        return logs(commandId, new Urls.Query().add("cursor", cursor));
    }

    private CommandLogs logs(String commandId, Urls.Query query) {
        HttpTransport.Response response = execd.send(
                "GET",
                "/command/" + Urls.segment(nonBlank(commandId, "commandId")) + "/logs" + query,
                HttpTransport.Body.none(),
                Map.of("Accept", "text/plain"),
                false);
        String content = HttpTransport.readText(response, HttpTransport.MAX_TEXT_BYTES);
        OptionalLong cursor = OptionalLong.empty();
        String header =
                response.headers().firstValue(TAIL_CURSOR_HEADER).orElse("").strip();
        if (!header.isEmpty()) {
            try {
                cursor = OptionalLong.of(Long.parseLong(header));
            } catch (NumberFormatException e) {
                throw HttpTransport.unexpected(
                        response, new IllegalArgumentException(TAIL_CURSOR_HEADER + " is not a number: " + header));
            }
        }
        return new CommandLogs(content, cursor);
    }

    /** Opens a bash session in the server's default directory. */
    public CommandSession openSession() {
        return openSession(Map.of());
    }

    /** Opens a bash session that starts in {@code cwd}. */
    public CommandSession openSession(String cwd) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cwd", Objects.requireNonNull(cwd, "cwd"));
        return openSession(body);
    }

    private CommandSession openSession(Map<String, Object> body) {
        String id = execd.json(
                "POST",
                "/session",
                body,
                json -> JsonObject.of(json, "the new session").string("session_id"));
        return new CommandSession(execd, id);
    }

    /** A session opened earlier (by this or another client), by its id. */
    public CommandSession session(String sessionId) {
        return new CommandSession(execd, nonBlank(sessionId, "sessionId"));
    }

    static String nonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
