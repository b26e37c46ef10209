package dev.moat.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A code execution context: one kernel of a language, whose variables survive between runs. A context without an
 * id stands for the server's default context of its language.
 *
 * @param id the context's id; empty for the language's default context
 * @param language the kernel's language ({@code python}, {@code bash}, …)
 */
public record CodeContext(Optional<String> id, String language) {

    /** The language of the default context used by {@link Code#run(String)}. */
    public static final String PYTHON = "python";

    public CodeContext {
        Objects.requireNonNull(id, "id");
        Commands.nonBlank(language, "language");
    }

    /** The server's default context for {@code language}. */
    public static CodeContext defaultFor(String language) {
        return new CodeContext(Optional.empty(), language);
    }

    static CodeContext read(Object json) {
        JsonObject context = JsonObject.of(json, "the code context");
        return new CodeContext(Optional.of(context.string("id")), context.string("language"));
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        id.ifPresent(value -> json.put("id", value));
        json.put("language", language);
        return json;
    }
}
