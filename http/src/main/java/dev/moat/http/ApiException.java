package dev.moat.http;

import java.util.Map;
import java.util.Objects;

/**
 * An expected failure with a category. The router turns it into the category's status and a {@code {code,message}}
 * body; no other place maps errors to statuses.
 */
public final class ApiException extends RuntimeException {

    private final ApiError error;
    private final Map<String, String> headers;

    public ApiException(ApiError error, String message) {
        this(error, message, Map.of(), null);
    }

    public ApiException(ApiError error, String message, Map<String, String> headers, Throwable cause) {
        super(Objects.requireNonNull(message), cause, false, false);
        this.error = Objects.requireNonNull(error);
        this.headers = Map.copyOf(headers);
    }

    public ApiError error() {
        return error;
    }

    /** Extra response headers, such as {@code Retry-After} or {@code Allow}. */
    public Map<String, String> headers() {
        return headers;
    }

    /** A copy of this exception that also sends the given header. */
    public ApiException withHeader(String name, String value) {
        var all = new java.util.HashMap<>(headers);
        all.put(name, value);
        return new ApiException(error, getMessage(), all, getCause());
    }
}
