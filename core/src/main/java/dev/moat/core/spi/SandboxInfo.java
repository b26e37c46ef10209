package dev.moat.core.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** What a backend knows of one sandbox. */
public record SandboxInfo(String id, String image, State state, Map<String, String> labels, Instant createdAt) {

    public SandboxInfo {
        Objects.requireNonNull(id);
        Objects.requireNonNull(state);
        labels = Map.copyOf(labels);
    }

    /** The backend-level state of a sandbox's processes. */
    public enum State {
        /** Created, processes not started yet. */
        CREATED,
        /** Processes running. */
        RUNNING,
        /** Processes frozen. */
        PAUSED,
        /** Processes gone; state still on the host until removed. */
        STOPPED
    }
}
