package dev.moat.execd;

import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.CreateSessionRequest;
import dev.moat.protocol.CreateSessionResponse;
import dev.moat.protocol.RunInSessionRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The bash session routes of the execd API: {@code POST /session}, {@code POST /session/{sessionId}/run} (an event
 * stream like {@code POST /command}'s, whose {@code init} carries the session id) and {@code DELETE
 * /session/{sessionId}}.
 */
final class SessionRoutes {

    private final SessionRegistry sessions;

    SessionRoutes(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    void register(Router.Builder routes) {
        routes.post("/session", this::create);
        routes.post("/session/{sessionId}/run", this::run);
        routes.delete("/session/{sessionId}", this::delete);
    }

    private void create(Exchange exchange) throws IOException {
        Optional<Path> cwd = exchange.readOptionalJson(CreateSessionRequest.class)
                .flatMap(request -> CommandSpec.directory(request.cwd()));
        BashSession session = sessions.create(cwd);
        exchange.sendJson(200, new CreateSessionResponse(session.id()));
    }

    private void run(Exchange exchange) throws InterruptedException {
        BashSession session = sessions.get(exchange.pathParameter("sessionId"));
        RunInSessionRequest request = exchange.readJson(RunInSessionRequest.class);
        String command = CommandSpec.command(request.command());
        Optional<Path> cwd = CommandSpec.directory(request.cwd());
        Optional<Duration> timeout = CommandSpec.timeout(request.timeout());
        session.acquire();
        try (ExecutionStream stream = ExecutionStream.open(exchange, session.id())) {
            stream.finish(session.run(command, cwd, timeout, stream).terminalEvent());
        } finally {
            session.release();
        }
    }

    private void delete(Exchange exchange) throws IOException {
        sessions.delete(exchange.pathParameter("sessionId"));
        exchange.sendEmpty(200);
    }
}
