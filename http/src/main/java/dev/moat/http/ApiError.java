package dev.moat.http;

/**
 * A category of failure: an HTTP status and the machine-readable code clients see. Each API defines its categories as
 * an enum implementing this interface; the code is the enum constant's name.
 */
public interface ApiError {

    int status();

    String name();

    default String code() {
        return name();
    }

    /** An exception of this category with a message that names what failed and what to do. */
    default ApiException exception(String message) {
        return new ApiException(this, message);
    }

    /** Same as {@link #exception(String)}, formatting the message with {@link String#format}. */
    default ApiException exception(String format, Object... args) {
        return new ApiException(this, String.format(format, args));
    }
}
