package dev.moat.sdk;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The state of a command (foreground or background), from {@code GET /command/status/{id}}.
 *
 * @param id the command's id
 * @param content the command line as it was given
 * @param running whether it still runs
 * @param exitCode its exit code, once finished
 * @param error why it failed, when the server says
 * @param startedAt when it started
 * @param finishedAt when it finished
 */
public record CommandStatus(
        String id,
        String content,
        boolean running,
        OptionalInt exitCode,
        Optional<String> error,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt) {

    static CommandStatus read(Object json) {
        JsonObject status = JsonObject.of(json, "the command status");
        return new CommandStatus(
                status.optionalString("id").orElse(""),
                status.optionalString("content").orElse(""),
                status.bool("running", false),
                status.optionalInt("exit_code"),
                status.optionalString("error").filter(text -> !text.isEmpty()),
                status.optionalTime("started_at"),
                status.optionalTime("finished_at"));
    }
}
