package dev.moat.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of a command or a code cell, collected from its event stream.
 *
 * @param id the command's id, or the code context's
 * @param stdout standard output as the server sent it: one entry per line (Moat), without newlines
 * @param stderr standard error, likewise
 * @param results rich results of a code cell, in order
 * @param error why the run failed; empty when it succeeded
 * @param exitCode a command's exit code: 0 on success, the code of {@code CommandExecError} on failure; empty for
 *     code cells and when the failure carried no code
 * @param executionCount a code cell's execution counter, when the kernel reported one
 * @param executionTime how long the run took by the server's clock, when it succeeded
 */
public record Execution(
        String id,
        List<String> stdout,
        List<String> stderr,
        List<ExecutionResult> results,
        Optional<ExecutionError> error,
        OptionalInt exitCode,
        OptionalInt executionCount,
        Optional<Duration> executionTime) {

    public Execution {
        Objects.requireNonNull(id, "id");
        stdout = List.copyOf(stdout);
        stderr = List.copyOf(stderr);
        results = List.copyOf(results);
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(executionCount, "executionCount");
        Objects.requireNonNull(executionTime, "executionTime");
    }

    /** Whether the run succeeded (no error event). */
    public boolean succeeded() {
        return error.isEmpty();
    }

    /** Standard output as one text, entries joined by newlines. */
    public String stdoutText() {
        return String.join("\n", stdout);
    }

    /** Standard error as one text, entries joined by newlines. */
    public String stderrText() {
        return String.join("\n", stderr);
    }

    /** The {@code text/plain} of the first result that has one: a cell's value, as Python would print it. */
    public Optional<String> text() {
        return results.stream()
                .map(ExecutionResult::text)
                .flatMap(Optional::stream)
                .findFirst();
    }
}
