package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Answer of {@code GET /command/status/{id}}. Times are RFC 3339 strings; {@code exitCode} and {@code finishedAt} are
 * {@code null} while the command runs.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CommandStatus(
        String id,
        String content,
        boolean running,
        @JsonProperty("exit_code") Integer exitCode,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("finished_at") String finishedAt) {}
