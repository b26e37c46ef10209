package dev.moat.execd;

import dev.moat.http.ApiException;
import dev.moat.http.EventStream;
import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.CodeContext;
import dev.moat.protocol.ExecEvent;
import dev.moat.protocol.RunCodeRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The code-interpreting routes of the execd API: contexts ({@code /code/context}, {@code /code/contexts...}), runs
 * ({@code POST /code}, an event stream) and interrupts ({@code DELETE /code?id=}).
 *
 * <p>A run picks its kernel from {@code context}: by {@code id} (404 {@code CONTEXT_NOT_FOUND} when there is none);
 * by {@code language} alone, the language's default context, started on first use; with neither, the code runs as a
 * one-off foreground command ({@link ShellService#runOneOff}), as in OpenSandbox. The stream's {@code init} event carries the
 * context (or shell run) id, which {@code DELETE /code?id=} takes. A client that disconnects interrupts its cell.
 */
final class CodeRoutes {

    static final Duration PING_INTERVAL = Duration.ofSeconds(3);

    private final CodeContexts contexts;
    private final ShellService shell;

    CodeRoutes(CodeContexts contexts, ShellService shell) {
        this.contexts = contexts;
        this.shell = shell;
    }

    void register(Router.Builder routes) {
        routes.post("/code/context", this::create);
        routes.get("/code/contexts", this::list);
        routes.delete("/code/contexts", this::deleteByLanguage);
        routes.get("/code/contexts/{context_id}", this::get);
        routes.delete("/code/contexts/{context_id}", this::delete);
        routes.post("/code", this::run);
        routes.delete("/code", this::interrupt);
    }

    private void create(Exchange exchange) throws IOException {
        CodeContext request = exchange.readJson(CodeContext.class);
        String language = present(request.language())
                .orElseThrow(() -> ExecdError.INVALID_REQUEST_BODY.exception(
                        "field 'language' is required; available: %s", contexts.availableLanguages()));
        KernelSpec spec = spec(language, ExecdError.INVALID_REQUEST_BODY);
        Kernel kernel = start(() -> contexts.create(spec));
        exchange.sendJson(200, describe(kernel));
    }

    private void list(Exchange exchange) throws IOException {
        Optional<KernelSpec> language =
                exchange.query("language").flatMap(CodeRoutes::present).map(l -> spec(l, ExecdError.MISSING_QUERY));
        exchange.sendJson(
                200, contexts.list(language).stream().map(CodeRoutes::describe).toList());
    }

    private void deleteByLanguage(Exchange exchange) throws IOException {
        KernelSpec spec = spec(exchange.requireQuery("language"), ExecdError.MISSING_QUERY);
        contexts.deleteAll(spec);
        exchange.sendEmpty(200);
    }

    private void get(Exchange exchange) throws IOException {
        exchange.sendJson(200, describe(kernel(exchange.pathParameter("context_id"))));
    }

    private void delete(Exchange exchange) throws IOException {
        String id = exchange.pathParameter("context_id");
        if (!contexts.delete(id)) {
            throw notFound(id);
        }
        exchange.sendEmpty(200);
    }

    private void interrupt(Exchange exchange) throws IOException {
        String id = exchange.requireQuery("id");
        Optional<Kernel> kernel = contexts.get(id);
        if (kernel.isPresent()) {
            kernel.get().interrupt();
        } else if (!shell.interrupt(id)) {
            throw notFound(id);
        }
        exchange.sendEmpty(200);
    }

    private void run(Exchange exchange) throws Exception {
        RunCodeRequest request = exchange.readJson(RunCodeRequest.class);
        if (request.code() == null) {
            throw ExecdError.INVALID_REQUEST_BODY.exception("field 'code' is required: the source to run");
        }
        if (request.code().isBlank()) {
            throw ExecdError.INVALID_REQUEST_BODY.exception("field 'code' is empty: there is nothing to run");
        }
        Optional<String> id = Optional.ofNullable(request.context()).flatMap(c -> present(c.id()));
        Optional<KernelSpec> language = Optional.ofNullable(request.context())
                .flatMap(c -> present(c.language()))
                .map(l -> spec(l, ExecdError.INVALID_REQUEST_BODY));
        if (id.isEmpty() && language.isEmpty()) {
            shell.runOneOff(exchange, request.code());
            return;
        }
        Kernel kernel;
        if (id.isPresent()) {
            kernel = kernel(id.get());
            if (language.isPresent() && !language.get().language().equalsIgnoreCase(kernel.language())) {
                throw ExecdError.INVALID_REQUEST_BODY.exception(
                        "context %s runs %s, not %s; leave out 'language' or use a %s context",
                        kernel.id(),
                        kernel.language(),
                        language.get().language(),
                        language.get().language());
            }
        } else {
            kernel = start(() -> contexts.defaultFor(language.get()));
        }
        CellRun cell = kernel.enqueue(request.code())
                .orElseThrow(() -> ExecdError.CONFLICT.exception(
                        "context %s already has %d cells waiting; wait for them, or interrupt with DELETE /code?id=%s",
                        kernel.id(), Kernel.MAX_QUEUED_CELLS, kernel.id()));
        try (EventStream stream = open(exchange, kernel.id())) {
            stream.onClientGone(() -> kernel.abandon(cell));
            kernel.execute(cell, stream::send);
        }
    }

    /** Starts the stream: {@code init} with the id now, {@code ping} every few seconds while the run lasts. */
    private static EventStream open(Exchange exchange, String id) {
        EventStream stream = exchange.eventStream();
        stream.send(new ExecEvent.Init(id, System.currentTimeMillis()));
        stream.keepAlive(PING_INTERVAL, () -> new ExecEvent.Ping("pong", System.currentTimeMillis()));
        return stream;
    }

    private Kernel kernel(String id) {
        return contexts.get(id).orElseThrow(() -> notFound(id));
    }

    private KernelSpec spec(String language, ExecdError category) {
        return contexts.spec(language)
                .orElseThrow(() -> category.exception(
                        "no Jupyter kernel for language '%s' is installed; available: %s",
                        language, contexts.availableLanguages()));
    }

    /** Runs a kernel start-up; a kernel that cannot start is a fault of this machine, not of the request. */
    private static Kernel start(KernelStart start) {
        try {
            return start.start();
        } catch (IOException e) {
            throw ExecdError.RUNTIME_ERROR.exception(e.getMessage());
        }
    }

    @FunctionalInterface
    private interface KernelStart {
        Kernel start() throws IOException;
    }

    private static ApiException notFound(String id) {
        return ExecdError.CONTEXT_NOT_FOUND.exception(
                "context %s does not exist: it was deleted, its kernel ended, or it never existed;"
                        + " list them with GET /code/contexts or create one with POST /code/context",
                id);
    }

    private static CodeContext describe(Kernel kernel) {
        return new CodeContext(kernel.id(), kernel.language());
    }

    private static Optional<String> present(String value) {
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }
}
