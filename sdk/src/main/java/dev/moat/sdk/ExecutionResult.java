package dev.moat.sdk;

import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A rich result of a code cell: a MIME bundle such as {@code {"text/plain": "2", "image/png": "<base64>"}}. Typed
 * accessors read the common types; {@link #get} any other.
 */
public record ExecutionResult(Map<String, Object> bundle) {

    public ExecutionResult {
        bundle = Collections.unmodifiableMap(new LinkedHashMap<>(bundle));
    }

    /** The MIME types present. */
    public Set<String> mimeTypes() {
        return bundle.keySet();
    }

    /** The value for a MIME type: a string for text types, a map or list for JSON ones. */
    public Optional<Object> get(String mimeType) {
        return Optional.ofNullable(bundle.get(mimeType));
    }

    /**
     * The {@code text/plain} representation (the cell's value as Python prints it). OpenSandbox's Go execd names it
     * {@code text}; both are read.
     */
    public Optional<String> text() {
        return string("text/plain").or(() -> string("text"));
    }

    public Optional<String> html() {
        return string("text/html");
    }

    public Optional<String> markdown() {
        return string("text/markdown");
    }

    /** The {@code image/png} image, decoded from its base64 text. */
    public Optional<byte[]> png() {
        return image("image/png");
    }

    /** The {@code image/jpeg} image, decoded from its base64 text. */
    public Optional<byte[]> jpeg() {
        return image("image/jpeg");
    }

    private Optional<byte[]> image(String mimeType) {
        return string(mimeType).map(base64 -> {
            try {
                return Base64.getMimeDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(mimeType + " of this result is not base64: " + e.getMessage(), e);
            }
        });
    }

    private Optional<String> string(String mimeType) {
        Object value = bundle.get(mimeType);
        return value instanceof String ? Optional.of((String) value) : Optional.empty();
    }
}
