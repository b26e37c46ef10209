package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Body of {@code POST /session/{id}/run}; {@code timeout} in milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunInSessionRequest(String command, String cwd, Long timeout) {}
