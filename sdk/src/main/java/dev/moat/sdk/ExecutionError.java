package dev.moat.sdk;

import java.util.List;
import java.util.Objects;

/**
 * Why a run failed: for a command, {@code name} is {@code CommandExecError} and {@code value} the exit code (or the
 * reason it could not start); for a code cell, the exception's type, message and traceback.
 */
public record ExecutionError(String name, String value, List<String> traceback) {
    public ExecutionError {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        traceback = List.copyOf(traceback);
    }
}
