package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of {@code POST /session}. */
public record CreateSessionResponse(
        @JsonProperty("session_id") String sessionId) {}
