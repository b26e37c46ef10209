package dev.moat.server;

import dev.moat.core.spi.SandboxException;
import dev.moat.http.ApiError;
import dev.moat.http.ApiException;
import dev.moat.http.ErrorVocabulary;
import java.util.Optional;

/** The error categories of the server's APIs; the names are the codes clients see. */
public enum ServerError implements ApiError {
    INVALID_REQUEST(400),
    IMAGE_NOT_FOUND(400),
    UNAUTHORIZED(401),
    SANDBOX_NOT_FOUND(404),
    CONFLICT(409),
    CAPACITY_EXHAUSTED(429),
    INTERNAL_ERROR(500),
    NOT_SUPPORTED(501),
    BAD_GATEWAY(502),
    SERVICE_UNAVAILABLE(503),
    SANDBOX_NOT_READY(503);

    /** How the shared HTTP toolkit names its own failures in the server's APIs. */
    public static final ErrorVocabulary VOCABULARY =
            new ErrorVocabulary(INVALID_REQUEST, INVALID_REQUEST, UNAUTHORIZED, INTERNAL_ERROR);

    /** Seconds a client is told to wait before retrying a create that found no capacity. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final int status;

    ServerError(int status) {
        this.status = status;
    }

    @Override
    public int status() {
        return status;
    }

    /** The category of a backend or manager failure: the one place {@link SandboxException}s get a status. */
    static Optional<ApiException> translate(RuntimeException failure) {
        if (!(failure instanceof SandboxException e)) {
            return Optional.empty();
        }
        ApiException api = switch (e.kind()) {
            case NOT_FOUND -> SANDBOX_NOT_FOUND.exception(e.getMessage());
            case IMAGE_NOT_FOUND -> IMAGE_NOT_FOUND.exception(e.getMessage());
            case INVALID_SPEC -> INVALID_REQUEST.exception(e.getMessage());
            case CONFLICT -> CONFLICT.exception(e.getMessage());
            case CAPACITY ->
                CAPACITY_EXHAUSTED
                        .exception(e.getMessage())
                        .withHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            case UNAVAILABLE -> SERVICE_UNAVAILABLE.exception(e.getMessage());
            case FAILED -> INTERNAL_ERROR.exception(e.getMessage());
        };
        return Optional.of(api);
    }
}
