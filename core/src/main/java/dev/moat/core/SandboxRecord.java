package dev.moat.core;

import dev.moat.core.spi.ResourceLimits;
import dev.moat.protocol.SandboxState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Moat knows of one sandbox. Immutable: every change makes a new record through the {@link StateStore}.
 *
 * @param id the sandbox id (also the backend's id)
 * @param type the sandbox type it was made from, if any
 * @param image the image as requested ({@code moat/base:latest}, {@code agentscope/runtime-sandbox-base:latest})
 * @param entrypoint the user's main process as requested
 * @param metadata the client's key-value metadata
 * @param limits the resource limits it runs with
 * @param state lifecycle state
 * @param reason short machine-readable reason of the last transition
 * @param message human-readable account of the last transition
 * @param lastTransitionAt when the state last changed
 * @param createdAt when the sandbox was requested
 * @param expiresAt when it expires, empty for never
 * @param pooled whether it is a warm pool member not handed out yet
 */
public record SandboxRecord(
        String id,
        Optional<String> type,
        String image,
        List<String> entrypoint,
        Map<String, String> metadata,
        ResourceLimits limits,
        SandboxState state,
        String reason,
        String message,
        Instant lastTransitionAt,
        Instant createdAt,
        Optional<Instant> expiresAt,
        boolean pooled) {

    public SandboxRecord {
        Objects.requireNonNull(id);
        Objects.requireNonNull(type);
        Objects.requireNonNull(image);
        entrypoint = List.copyOf(entrypoint);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(state);
        Objects.requireNonNull(lastTransitionAt);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(expiresAt);
    }

    /** This record in a new state, stamped {@code at}. */
    public SandboxRecord transition(SandboxState next, String reason, String message, Instant at) {
        return new SandboxRecord(
                id, type, image, entrypoint, metadata, limits, next, reason, message, at, createdAt, expiresAt, pooled);
    }

    public SandboxRecord withMetadata(Map<String, String> newMetadata) {
        return new SandboxRecord(
                id,
                type,
                image,
                entrypoint,
                newMetadata,
                limits,
                state,
                reason,
                message,
                lastTransitionAt,
                createdAt,
                expiresAt,
                pooled);
    }

    public SandboxRecord withExpiresAt(Optional<Instant> newExpiresAt) {
        return new SandboxRecord(
                id,
                type,
                image,
                entrypoint,
                metadata,
                limits,
                state,
                reason,
                message,
                lastTransitionAt,
                createdAt,
                newExpiresAt,
                pooled);
    }

    /** The record of a pool member handed out to a request. */
    public SandboxRecord handedOut(
            String requestedImage,
            List<String> requestedEntrypoint,
            Map<String, String> requestedMetadata,
            ResourceLimits requestedLimits,
            Optional<Instant> requestedExpiry,
            Instant at) {
        return new SandboxRecord(
                id,
                type,
                requestedImage,
                requestedEntrypoint,
                requestedMetadata,
                requestedLimits,
                state,
                "pool_handout",
                "served from the warm pool",
                at,
                at,
                requestedExpiry,
                false);
    }

    public boolean isLive() {
        return !state.isFinal();
    }
}
