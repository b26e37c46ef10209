package dev.moat.core.spi;

import java.util.Objects;

/** A failure of a sandbox operation, with the category that decides how the API reports it. */
public final class SandboxException extends RuntimeException {

    /** What kind of failure this is. */
    public enum Kind {
        /** No sandbox with this id. */
        NOT_FOUND,
        /** The image is not in the image store. */
        IMAGE_NOT_FOUND,
        /** The spec is invalid: a bad limit, id, mount. */
        INVALID_SPEC,
        /** The operation conflicts with the sandbox's state (the id exists, it is not paused, …). */
        CONFLICT,
        /** No room for another sandbox. */
        CAPACITY,
        /** This host cannot run the backend (a missing runtime, no kernel support). */
        UNAVAILABLE,
        /** The backend tried and failed; the message says what the runtime answered. */
        FAILED
    }

    private final Kind kind;

    public SandboxException(Kind kind, String message) {
        this(kind, message, null);
    }

    public SandboxException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind);
    }

    public Kind kind() {
        return kind;
    }
}
