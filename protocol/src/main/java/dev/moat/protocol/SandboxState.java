package dev.moat.protocol;

/**
 * Lifecycle state of a sandbox as the OpenSandbox lifecycle API names it. Transitions: Pending → Running ⇄
 * (Pausing →) Paused (→ Resuming →) Running → Stopping → Terminated; any live state → Failed.
 */
public enum SandboxState {
    Pending,
    Running,
    Pausing,
    Paused,
    Resuming,
    Stopping,
    Terminated,
    Failed;

    /** Whether the sandbox is gone for good. */
    public boolean isFinal() {
        return this == Terminated || this == Failed;
    }
}
