package dev.moat.sdk;

import java.util.Optional;

/**
 * The one exception of the SDK: a call to the lifecycle API or to a sandbox's execd did not do what was asked. It
 * carries the HTTP status and the server's {@code {code, message}} answer with its {@code X-Request-ID}, so a failure
 * can be traced in the server's log. When no HTTP answer came at all, {@link #status()} is 0 and {@link #code()} is
 * one of the SDK's own codes below.
 */
public final class SandboxApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The server did not answer (or stopped sending) within the configured timeout. */
    public static final String TIMEOUT = "TIMEOUT";

    /** The server could not be reached, or the connection broke. */
    public static final String CONNECTION_FAILED = "CONNECTION_FAILED";

    /** The calling thread was interrupted while it waited for the server. */
    public static final String INTERRUPTED = "INTERRUPTED";

    /** The server answered something this SDK cannot read (not the documented shape). */
    public static final String UNEXPECTED_RESPONSE = "UNEXPECTED_RESPONSE";

    /** A sandbox did not become ready (running, with execd answering) within the ready timeout. */
    public static final String READY_TIMEOUT = "READY_TIMEOUT";

    /** A sandbox reached a state in which the operation cannot succeed any more (Failed, Terminated). */
    public static final String SANDBOX_FAILED = "SANDBOX_FAILED";

    /** A sandbox is in a state from which the operation cannot proceed (Paused, when connecting to it). */
    public static final String WRONG_STATE = "WRONG_STATE";

    /** A background command was refused by the server before it ran (bad directory, unknown user…). */
    public static final String COMMAND_NOT_STARTED = "COMMAND_NOT_STARTED";

    private final int status;
    private final String code;
    private final String serverMessage;
    private final String requestId;

    SandboxApiException(int status, String code, String serverMessage, String requestId, String context) {
        this(status, code, serverMessage, requestId, context, null);
    }

    SandboxApiException(
            int status, String code, String serverMessage, String requestId, String context, Throwable cause) {
        super(describe(status, code, serverMessage, requestId, context), cause);
        this.status = status;
        this.code = code;
        this.serverMessage = serverMessage;
        this.requestId = requestId;
    }

    /** A failure without an HTTP answer (timeouts, connection failures, readiness). */
    static SandboxApiException local(String code, String message, Throwable cause) {
        return new SandboxApiException(0, code, message, null, null, cause);
    }

    /** The HTTP status of the answer, or 0 when there was none. */
    public int status() {
        return status;
    }

    /** The server's machine-readable error code ({@code SANDBOX_NOT_FOUND}, {@code FILE_NOT_FOUND}…) or the SDK's. */
    public String code() {
        return code;
    }

    /** The server's human-readable message, as it sent it. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The {@code X-Request-ID} of the failed request, when the server sent one. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    private static String describe(int status, String code, String message, String requestId, String context) {
        StringBuilder text = new StringBuilder();
        if (context != null) {
            text.append(context).append(": ");
        }
        if (status > 0) {
            text.append(status).append(' ');
        }
        text.append(code).append(": ").append(message);
        if (requestId != null) {
            text.append(" (request id ").append(requestId).append(')');
        }
        return text.toString();
    }
}
