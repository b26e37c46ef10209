package dev.moat.execd;

import dev.moat.http.ApiError;
import dev.moat.http.ErrorVocabulary;

/** The error categories of the execd API; the names are the codes clients see. */
public enum ExecdError implements ApiError {
    INVALID_REQUEST_BODY(400),
    MISSING_QUERY(400),
    INVALID_FILE(400),
    INVALID_FILE_CONTENT(400),
    INVALID_FILE_METADATA(400),
    UNAUTHORIZED(401),
    PERMISSION_DENIED(403),
    FILE_NOT_FOUND(404),
    CONTEXT_NOT_FOUND(404),
    COMMAND_NOT_FOUND(404),
    SESSION_NOT_FOUND(404),
    CONFLICT(409),
    RANGE_NOT_SATISFIABLE(416),
    /** A {@code Range} header in the {@code bytes} unit that does not parse. */
    INVALID_RANGE(400),
    /** The file system has no room (or no quota) left for what was written. */
    INSUFFICIENT_STORAGE(507),
    RUNTIME_ERROR(500),
    NOT_SUPPORTED(501),
    BAD_GATEWAY(502),
    /** A /proxy/{port} path whose port is not a number from 1 to 65535. */
    INVALID_PORT(400),
    /** The service behind /proxy/{port} did not answer in time. */
    GATEWAY_TIMEOUT(504);

    /** How the shared HTTP toolkit names its own failures in this API. */
    public static final ErrorVocabulary VOCABULARY =
            new ErrorVocabulary(INVALID_REQUEST_BODY, MISSING_QUERY, UNAUTHORIZED, RUNTIME_ERROR);

    private final int status;

    ExecdError(int status) {
        this.status = status;
    }

    @Override
    public int status() {
        return status;
    }
}
