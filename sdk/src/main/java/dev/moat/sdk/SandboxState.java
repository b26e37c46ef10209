package dev.moat.sdk;

/**
 * Lifecycle state of a sandbox. Pending → Running ⇄ (Pausing →) Paused (→ Resuming) → Running → Stopping →
 * Terminated; any live state may become Failed. States a newer server adds read as {@link #UNKNOWN}.
 */
public enum SandboxState {
    PENDING("Pending"),
    RUNNING("Running"),
    PAUSING("Pausing"),
    PAUSED("Paused"),
    RESUMING("Resuming"),
    STOPPING("Stopping"),
    TERMINATED("Terminated"),
    FAILED("Failed"),
    UNKNOWN("Unknown");

    private final String wireName;

    SandboxState(String wireName) {
        this.wireName = wireName;
    }

    /** The name the lifecycle API uses ({@code Running}). */
    public String wireName() {
        return wireName;
    }

    /** Whether the sandbox is gone for good. */
    public boolean isFinal() {
        return this == TERMINATED || this == FAILED;
    }

    static SandboxState fromWire(String name) {
        for (SandboxState state : values()) {
            if (state.wireName.equalsIgnoreCase(name)) {
                return state;
            }
        }
        return UNKNOWN;
    }
}
