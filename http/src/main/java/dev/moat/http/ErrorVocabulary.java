package dev.moat.http;

import java.util.Objects;

/**
 * The categories an API uses for the failures the toolkit detects on its behalf: a body that is not valid JSON for the
 * route, a required query parameter that is missing, an unauthenticated request, and a fault of the server itself.
 * execd and the lifecycle API name these differently, so each passes its own.
 */
public record ErrorVocabulary(
        ApiError invalidBody, ApiError missingParameter, ApiError unauthorized, ApiError internal) {
    public ErrorVocabulary {
        Objects.requireNonNull(invalidBody);
        Objects.requireNonNull(missingParameter);
        Objects.requireNonNull(unauthorized);
        Objects.requireNonNull(internal);
    }
}
