package dev.moat.core;

import dev.moat.core.spi.SandboxException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cap on live sandboxes ({@code MAX_SANDBOX_INSTANCES}). A request that finds no room waits its turn, in order,
 * for at most the wait budget; only then — or when too many already wait — is it refused with {@code CAPACITY}.
 * Unlimited when the cap is 0.
 */
final class Admission {

    private final int capacity;
    private final Semaphore permits;
    private final Duration wait;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(int capacity, Duration wait, int maxWaiting) {
        this.capacity = capacity;
        this.permits = new Semaphore(capacity == 0 ? Integer.MAX_VALUE : capacity, true);
        this.wait = wait;
        this.maxWaiting = maxWaiting;
    }

    /** Takes a place for one sandbox, waiting up to the budget. */
    void acquire() {
        if (permits.tryAcquire()) {
            return;
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            throw full("and " + maxWaiting + " requests are already waiting");
        }
        try {
            if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw full("and none was released within " + wait.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw full("and the wait was interrupted");
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Takes a place only if one is free now (pool refills never wait). */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    void release() {
        permits.release();
    }

    int waiting() {
        return waiting.get();
    }

    int capacity() {
        return capacity;
    }

    private SandboxException full(String detail) {
        return new SandboxException(
                SandboxException.Kind.CAPACITY,
                "all " + capacity + " sandbox places (MAX_SANDBOX_INSTANCES) are taken " + detail
                        + "; retry later or delete a sandbox");
    }
}
