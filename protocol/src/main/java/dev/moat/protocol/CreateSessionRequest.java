package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Body of {@code POST /session}; every field optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateSessionRequest(String cwd) {}
