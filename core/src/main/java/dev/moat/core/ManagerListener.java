package dev.moat.core;

import java.time.Duration;

/** Hears what the manager does, for metrics. Called on the manager's threads; must be quick and never throw. */
public interface ManagerListener {

    /** A sandbox became usable: {@code fromPool} when a warm one was handed out, else after a cold create. */
    default void sandboxReady(Duration latency, boolean fromPool) {}

    /** Creating a sandbox failed. */
    default void sandboxFailed(String reason) {}

    ManagerListener NONE = new ManagerListener() {};
}
