package dev.moat.sdk;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives an execution's events as they arrive, on the thread that called {@code run}. Every method does nothing
 * by default; override the ones you need. An exception thrown here stops the run's stream (the command itself goes
 * on unless interrupted) and propagates to the caller.
 */
public interface ExecutionHandler {

    /** The run started; {@code id} is the command's id (for interrupt, status, logs) or the code context's. */
    default void onInit(String id) {}

    /** A line (or chunk) of standard output. */
    default void onStdout(String text) {}

    /** A line (or chunk) of standard error. */
    default void onStderr(String text) {}

    /** A rich result of a code cell. */
    default void onResult(ExecutionResult result) {}

    /** The run failed; this is its last event. */
    default void onError(ExecutionError error) {}

    /** The run succeeded; this is its last event. */
    default void onComplete(Duration executionTime) {}

    /** Every event, including keep-alives, kernel status changes and types this SDK does not know; called first. */
    default void onEvent(ExecEvent event) {}

    /** A handler that does nothing. */
    static ExecutionHandler none() {
        return new ExecutionHandler() {};
    }

    /** A handler that passes each line of standard output to {@code consumer}. */
    static ExecutionHandler onStdout(Consumer<String> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return new ExecutionHandler() {
            @Override
            public void onStdout(String text) {
                consumer.accept(text);
            }
        };
    }
}
