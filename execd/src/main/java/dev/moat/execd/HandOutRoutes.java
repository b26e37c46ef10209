package dev.moat.execd;

import dev.moat.http.Exchange;
import dev.moat.http.Router;
import dev.moat.protocol.CodeContext;
import java.io.IOException;
import java.util.Map;

/**
 * Routes the Moat server calls on a sandbox's execd, outside the OpenSandbox contract:
 *
 * <ul>
 *   <li>{@code POST /moat/warm-kernel} starts the default python context (the one a run naming only the language
 *       uses) and answers 200 once it is ready, so that a warm pool member's first cell is fast;
 *   <li>{@code POST /moat/environment} with {@code {"env":{"K":"V"}}} adds variables for every later command, session
 *       and kernel, and sets them in running python kernels silently (no output, no {@code execution_count} bump);
 *       how a warm sandbox gets the env of the request it is handed to.
 * </ul>
 */
final class HandOutRoutes {

    static final String WARM_LANGUAGE = "python";

    private final CodeContexts contexts;

    HandOutRoutes(CodeContexts contexts) {
        this.contexts = contexts;
    }

    void register(Router.Builder routes) {
        routes.post("/moat/warm-kernel", this::warmKernel);
        routes.post("/moat/environment", this::addEnvironment);
    }

    private void warmKernel(Exchange exchange) throws IOException {
        KernelSpec spec = contexts.spec(WARM_LANGUAGE)
                .orElseThrow(() -> ExecdError.NOT_SUPPORTED.exception(
                        "no python kernel is installed in this sandbox; available: %s", contexts.availableLanguages()));
        Kernel kernel;
        try {
            kernel = contexts.defaultFor(spec);
        } catch (IOException e) {
            throw ExecdError.RUNTIME_ERROR.exception(e.getMessage());
        }
        exchange.sendJson(200, new CodeContext(kernel.id(), kernel.language()));
    }

    private void addEnvironment(Exchange exchange) throws IOException {
        EnvironmentRequest request = exchange.readJson(EnvironmentRequest.class);
        if (request.env() == null) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "field 'env' is required: a JSON object of variable names to string values");
        }
        for (Map.Entry<String, String> variable : request.env().entrySet()) {
            check(variable.getKey(), variable.getValue());
        }
        contexts.addEnvironment(request.env());
        exchange.sendEmpty(200);
    }

    private static void check(String name, String value) {
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "env: '%s' is not a variable name (it must be non-empty, without '=' or NUL)", name);
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw ExecdError.INVALID_REQUEST_BODY.exception(
                    "env: the value of %s must be a string without NUL characters", name);
        }
    }

    /** The body of {@code POST /moat/environment}. */
    record EnvironmentRequest(Map<String, String> env) {}
}
