package dev.moat.sdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stateful code execution in Jupyter kernels: contexts (one kernel each), runs with streamed output and rich
 * results, interrupts. Obtained from {@link Sandbox#code()} or {@link ExecdClient#code()}; safe for concurrent use,
 * though a kernel runs one cell at a time.
 */
public final class Code {

    private final HttpTransport execd;

    Code(HttpTransport execd) {
        this.execd = execd;
    }

    /** Starts a new kernel for {@code language}. */
    public CodeContext createContext(String language) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("language", Commands.nonBlank(language, "language"));
        return execd.json("POST", "/code/context", body, CodeContext::read);
    }

    public CodeContext context(String contextId) {
        return execd.json(
                "GET",
                "/code/contexts/" + Urls.segment(Commands.nonBlank(contextId, "contextId")),
                null,
                CodeContext::read);
    }

    /** The live contexts of a language. */
    public List<CodeContext> contexts(String language) {
        return execd.json(
                "GET",
                "/code/contexts" + new Urls.Query().add("language", Commands.nonBlank(language, "language")),
                null,
                json -> JsonObject.list(json, "the context list", CodeContext::read));
    }

    /** Stops a context's kernel. */
    public void deleteContext(String contextId) {
        execd.call("DELETE", "/code/contexts/" + Urls.segment(Commands.nonBlank(contextId, "contextId")), null);
    }

    /** Stops every context of a language. */
    public void deleteContexts(String language) {
        execd.call(
                "DELETE",
                "/code/contexts" + new Urls.Query().add("language", Commands.nonBlank(language, "language")),
                null);
    }

    /** Runs Python code in the default Python context. A raised exception is not thrown: see {@link Execution#error()}. */
    public Execution run(String code) {
        return run(code, CodeContext.defaultFor(CodeContext.PYTHON), ExecutionHandler.none());
    }

    public Execution run(String code, CodeContext context) {
        return run(code, context, ExecutionHandler.none());
    }

    /** Runs code in a context, passing output and results to {@code handler} as they come. */
    public Execution run(String code, CodeContext context, ExecutionHandler handler) {
        return ExecutionStream.run(execd, "/code", runRequest(code, context), handler, false);
    }

    /** The body of {@code POST /code}. */
    static Map<String, Object> runRequest(String code, CodeContext context) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("context", Objects.requireNonNull(context, "context").toJson());
        body.put("code", Objects.requireNonNull(code, "code"));
        return body;
    }

    /** Interrupts the cell running in a context (a KeyboardInterrupt in Python); the kernel and its state stay. */
    public void interrupt(String contextId) {
        execd.call("DELETE", "/code" + new Urls.Query().add("id", Commands.nonBlank(contextId, "contextId")), null);
    }
}
