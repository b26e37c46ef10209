package dev.moat.execd;

import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCommandRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The command routes of the execd API: {@code POST /command} (a foreground command's live event stream, or a
 * background command started), {@code DELETE /command?id=} (interrupt a command, or a session's current run),
 * {@code GET /command/status/{id}} and {@code GET /command/{id}/logs?cursor=}.
 */
final class CommandRoutes {

    /** The header that carries the cursor to continue reading a log from. */
    static final String TAIL_CURSOR_HEADER = "EXECD-COMMANDS-TAIL-CURSOR";

    private final CommandRunner runner;
    private final CommandRegistry registry;
    private final SessionRegistry sessions;

    CommandRoutes(CommandRunner runner, CommandRegistry registry, SessionRegistry sessions) {
        this.runner = runner;
        this.registry = registry;
        this.sessions = sessions;
    }

    void register(Router.Builder routes) {
        routes.post("/command", this::run);
        routes.delete("/command", this::interrupt);
        routes.get("/command/status/{id}", this::status);
        routes.get("/command/{id}/logs", this::logs);
    }

    private void run(Exchange exchange) throws InterruptedException {
        CommandSpec spec = CommandSpec.from(exchange.readJson(RunCommandRequest.class));
        if (spec.background()) {
            CommandRecord record = runner.startBackground(spec);
            try (ExecutionStream stream = ExecutionStream.open(exchange, record.id())) {
                long millis =
                        Duration.between(record.startedAt(), Instant.now()).toMillis();
                stream.finish(new ExecEvent.Complete(millis, System.currentTimeMillis()));
            }
            return;
        }
        streamForeground(exchange, spec);
    }

    /** Starts a foreground command and streams it to the client (also the one-off shell runs of {@code POST /code}). */
    void streamForeground(Exchange exchange, CommandSpec spec) throws InterruptedException {
        ForegroundCommand command = runner.startForeground(spec);
        try (ExecutionStream stream = ExecutionStream.open(exchange, command.id())) {
            stream.onClientGone(() -> command.stop(
                    "the client disconnected from the stream: execd terminated the command's process group"));
            stream.finish(command.streamTo(stream).terminalEvent());
        }
    }

    private void interrupt(Exchange exchange) throws IOException {
        String id = exchange.requireQuery("id");
        var session = sessions.find(id);
        if (session.isPresent()) {
            session.get().interrupt("interrupted by DELETE /command");
        } else {
            runner.stopAndWait(registry.get(id), "interrupted by DELETE /command: execd terminated its process group");
        }
        exchange.sendEmpty(200);
    }

    private void status(Exchange exchange) throws IOException {
        exchange.sendJson(200, registry.get(exchange.pathParameter("id")).status());
    }

    private void logs(Exchange exchange) throws IOException {
        CommandRecord record = registry.get(exchange.pathParameter("id"));
        long cursor = exchange.queryLong("cursor").orElse(0L);
        if (cursor < 0) {
            throw ExecdError.MISSING_QUERY.exception(
                    "query parameter 'cursor' must be a line number of 0 or more, got %d", cursor);
        }
        CommandLog log = record.log()
                .orElseThrow(() -> ExecdError.CONFLICT.exception(
                        "command %s ran in the foreground: its output went to its event stream and is not kept;"
                                + " run it with \"background\": true to read its logs",
                        record.id()));
        CommandLog.Slice slice = log.read(cursor, !record.running());
        exchange.header(TAIL_CURSOR_HEADER, Long.toString(slice.nextCursor()));
        exchange.response().setStatus(200);
        exchange.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.response().getHeaders().put(HttpHeader.CONTENT_LENGTH, slice.length());
        log.copy(slice, exchange.output());
    }
}
