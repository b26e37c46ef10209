package dev.moat.execd;

import dev.moat.protocol.CommandStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command execd started, running or finished: what {@code GET /command/status/{id}} reports, the process group an
 * interrupt signals, and (for background commands) the log. The first reason given to {@link #stop} is the one kept.
 */
final class CommandRecord {

    private final String id;
    private final String content;
    private final Instant startedAt;
    private final Optional<ProcessGroup> group;
    private final Optional<CommandLog> log;
    private final CompletableFuture<RunOutcome> outcome = new CompletableFuture<>();
    private final AtomicReference<String> stopReason = new AtomicReference<>();

    CommandRecord(
            String id, String content, Instant startedAt, Optional<ProcessGroup> group, Optional<CommandLog> log) {
        this.id = id;
        this.content = content;
        this.startedAt = startedAt;
        this.group = group;
        this.log = log;
    }

    String id() {
        return id;
    }

    /** The command text, as the request gave it. */
    String content() {
        return content;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** The command's processes; empty when it could not even be started. */
    Optional<ProcessGroup> group() {
        return group;
    }

    /** The log of a background command; foreground output goes to its stream only. */
    Optional<CommandLog> log() {
        return log;
    }

    boolean running() {
        return !outcome.isDone();
    }

    /** Completes when the command has finished. */
    CompletableFuture<RunOutcome> outcome() {
        return outcome;
    }

    /** Notes why execd is stopping the command; {@code false} if it was already being stopped. */
    boolean markStopping(String reason) {
        return stopReason.compareAndSet(null, reason);
    }

    Optional<String> stopReason() {
        return Optional.ofNullable(stopReason.get());
    }

    void finished(RunOutcome result) {
        outcome.complete(result);
    }

    CommandStatus status() {
        RunOutcome result = outcome.getNow(null);
        if (result == null) {
            return new CommandStatus(id, content, true, null, null, rfc3339(startedAt), null);
        }
        Instant finishedAt = startedAt.plusMillis(result.executionMillis());
        return new CommandStatus(
                id,
                content,
                false,
                result.exitCode(),
                result.error().orElse(null),
                rfc3339(startedAt),
                rfc3339(finishedAt));
    }

    private static String rfc3339(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
