package dev.moat.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Waits, by polling, until a sandbox reaches a state or its execd answers, within one deadline. A sandbox that ends
 * (Stopping, Terminated, Failed) while being waited for fails the wait at once, with the server's reason.
 */
final class Readiness {

    static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private static final Set<SandboxState> ENDED =
            EnumSet.of(SandboxState.STOPPING, SandboxState.TERMINATED, SandboxState.FAILED);

    private final String sandboxId;
    private final Duration timeout;
    private final Instant deadline;

    Readiness(String sandboxId, Duration timeout) {
        this.sandboxId = sandboxId;
        this.timeout = timeout;
        this.deadline = Instant.now().plus(timeout);
    }

    /** Polls the sandbox until it is in {@code target}; states in {@code passing} are waited through. */
    SandboxInfo untilState(SandboxManager manager, SandboxState target, Set<SandboxState> passing) {
        while (true) {
            SandboxInfo info = manager.get(sandboxId);
            SandboxState state = info.state();
            if (state == target) {
                return info;
            }
            if (ENDED.contains(state)) {
                throw SandboxApiException.local(
                        SandboxApiException.SANDBOX_FAILED,
                        "sandbox " + sandboxId + " is " + info.status().describe() + " and will not become "
                                + target.wireName(),
                        null);
            }
            // a state this SDK does not know may be a newer server's step on the way: wait through it
            if (!passing.contains(state) && state != SandboxState.UNKNOWN) {
                throw SandboxApiException.local(
                        SandboxApiException.WRONG_STATE,
                        "sandbox " + sandboxId + " is " + info.status().describe() + ", not on its way to "
                                + target.wireName() + (state == SandboxState.PAUSED ? "; resume it first" : ""),
                        null);
            }
            pause(
                    () -> "sandbox " + sandboxId + " is still " + info.status().describe() + " after "
                            + Durations.describe(timeout) + "; waited for " + target.wireName(),
                    null);
        }
    }

    /** Polls execd's {@code /ping} until it answers. */
    void untilExecdAnswers(ExecdClient execd) {
        while (true) {
            SandboxApiException last;
            try {
                execd.ping();
                return;
            } catch (SandboxApiException e) {
                last = e;
            }
            SandboxApiException failure = last;
            pause(
                    () -> "execd of sandbox " + sandboxId + " at " + execd.baseUrl() + " did not answer /ping within "
                            + Durations.describe(timeout) + "; last failure: " + failure.getMessage(),
                    failure);
        }
    }

    /** Sleeps one poll interval, or fails when the deadline has passed. */
    private void pause(Supplier<String> timeoutMessage, Throwable lastFailure) {
        if (!Instant.now().isBefore(deadline)) {
            throw SandboxApiException.local(SandboxApiException.READY_TIMEOUT, timeoutMessage.get(), lastFailure);
        }
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SandboxApiException.local(
                    SandboxApiException.INTERRUPTED, "interrupted while waiting for sandbox " + sandboxId, e);
        }
    }
}
