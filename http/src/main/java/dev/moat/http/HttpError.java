package dev.moat.http;

/** Failures of the HTTP layer itself, the same for every API. */
public enum HttpError implements ApiError {
    /** No route has this path. */
    NOT_FOUND(404),
    /** A route has this path, but not for this method. */
    METHOD_NOT_ALLOWED(405),
    /** The request body is larger than the route accepts. */
    PAYLOAD_TOO_LARGE(413),
    /** The request body has a content type the route does not read. */
    UNSUPPORTED_MEDIA_TYPE(415),
    /** A proxied service answered with something that is not HTTP, or not all of it. */
    BAD_GATEWAY(502),
    /** A proxied service did not answer in time. */
    GATEWAY_TIMEOUT(504);

    private final int status;

    HttpError(int status) {
        this.status = status;
    }

    @Override
    public int status() {
        return status;
    }
}
