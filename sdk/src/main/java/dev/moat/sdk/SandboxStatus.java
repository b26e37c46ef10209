package dev.moat.sdk;

import java.time.Instant;
import java.util.Optional;

/**
 * A sandbox's detailed status.
 *
 * @param state the lifecycle state
 * @param stateName the state as the server named it (useful when {@code state} is {@link SandboxState#UNKNOWN})
 * @param reason a short machine-readable reason ({@code user_delete}, {@code ttl_expiry}, {@code runtime_error})
 * @param message a human-readable account of the state
 * @param lastTransitionAt when the state last changed
 */
public record SandboxStatus(
        SandboxState state,
        String stateName,
        Optional<String> reason,
        Optional<String> message,
        Optional<Instant> lastTransitionAt) {

    static SandboxStatus read(JsonObject status) {
        String name = status.string("state");
        return new SandboxStatus(
                SandboxState.fromWire(name),
                name,
                status.optionalString("reason"),
                status.optionalString("message"),
                status.optionalTime("lastTransitionAt"));
    }

    /** {@code Running}, or {@code Failed (runtime_error: the image has no /bin/sh)}. */
    String describe() {
        StringBuilder text = new StringBuilder(stateName);
        if (reason.isPresent() || message.isPresent()) {
            text.append(" (").append(reason.orElse(""));
            if (reason.isPresent() && message.isPresent()) {
                text.append(": ");
            }
            text.append(message.orElse("")).append(')');
        }
        return text.toString();
    }
}
