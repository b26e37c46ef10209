package dev.moat.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One event of an execution stream ({@code POST /command}, {@code /code}, {@code /session/{id}/run}), as execd sends
 * it. A stream starts with {@link Init} and ends with exactly one terminal event, {@link Complete} or {@link Error}.
 * Event types this SDK does not know arrive as {@link Unknown}, so a newer server never breaks an older client.
 */
public sealed interface ExecEvent
        permits ExecEvent.Init,
                ExecEvent.Status,
                ExecEvent.Stdout,
                ExecEvent.Stderr,
                ExecEvent.Result,
                ExecEvent.ExecutionCount,
                ExecEvent.Complete,
                ExecEvent.Error,
                ExecEvent.Ping,
                ExecEvent.Unknown {

    /** When the server generated the event (when it arrived, if the server sent no timestamp). */
    Instant timestamp();

    /** Whether this event ends the stream. */
    default boolean terminal() {
        return this instanceof Complete || this instanceof Error;
    }

    /** The first event: {@code id} is the command's (or the code context's) id. */
    record Init(String id, Instant timestamp) implements ExecEvent {}

    /** A status change of a kernel ({@code busy}, {@code idle}). */
    record Status(String text, Instant timestamp) implements ExecEvent {}

    /** Standard output: one line without its newline (Moat), or a chunk as the server read it. */
    record Stdout(String text, Instant timestamp) implements ExecEvent {}

    /** Standard error, like {@link Stdout}. */
    record Stderr(String text, Instant timestamp) implements ExecEvent {}

    /** A rich result of a code cell, with the cell's execution count when the server sends it along. */
    record Result(ExecutionResult result, OptionalInt executionCount, Instant timestamp) implements ExecEvent {}

    /** The execution counter of a code cell. */
    record ExecutionCount(int executionCount, Instant timestamp) implements ExecEvent {}

    /** The run succeeded (exit code 0 for commands). */
    record Complete(Duration executionTime, Instant timestamp) implements ExecEvent {}

    /** The run failed: a command's non-zero exit ({@code CommandExecError}) or a cell's exception. */
    record Error(ExecutionError error, Instant timestamp) implements ExecEvent {}

    /** A keep-alive on a long run. */
    record Ping(Instant timestamp) implements ExecEvent {}

    /** An event type this SDK does not know, with all its members. */
    record Unknown(String type, Map<String, Object> members, Instant timestamp) implements ExecEvent {
        public Unknown {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }
    }
}
