package dev.moat.execd;

import dev.moat.protocol.ExecEvent;
import java.util.List;
import java.util.Optional;

/**
 * How a command (or a session run) ended: its exit code (128 + n when killed by signal n) and, when execd stopped it
 * (timeout, interrupt, client gone, session closed), why. Becomes the stream's one terminal event and the status's
 * {@code error}.
 */
record RunOutcome(int exitCode, Optional<String> stopReason, long executionMillis) {

    static final String EXEC_ERROR = "CommandExecError";

    boolean succeeded() {
        return exitCode == 0 && stopReason.isEmpty();
    }

    /** What went wrong, for the status's {@code error}; empty on success. */
    Optional<String> error() {
        if (succeeded()) {
            return Optional.empty();
        }
        return Optional.of(stopReason
                .map(reason -> reason + " (exit code " + exitCode + ")")
                .orElse("command exited with code " + exitCode));
    }

    /** {@code execution_complete} on success, else {@code error{CommandExecError, "<exit code>", [why]}}. */
    ExecEvent terminalEvent() {
        long now = System.currentTimeMillis();
        if (succeeded()) {
            return new ExecEvent.Complete(executionMillis, now);
        }
        return new ExecEvent.Error(
                new ExecEvent.ErrorDetail(EXEC_ERROR, Integer.toString(exitCode), List.of(error().orElseThrow())), now);
    }
}
