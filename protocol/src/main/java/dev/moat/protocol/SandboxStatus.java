package dev.moat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Detailed status: the state, a short machine-readable reason ({@code user_delete}, {@code ttl_expiry},
 * {@code runtime_error}), a human-readable message and when the state last changed (RFC 3339).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SandboxStatus(SandboxState state, String reason, String message, String lastTransitionAt) {}
