package dev.moat.core;

import dev.moat.core.spi.SandboxException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Bounds how many sandboxes are being created on the backend at once ({@code MOAT_MAX_CONCURRENT_CREATES}; a burst
 * of creates on a small host otherwise starts hundreds of JVMs together and every one of them misses its ready
 * timeout), and keeps count of the creations under way, so that the manager's {@link #close} waits for them before it
 * removes every sandbox: a creation that finished after the clean-up would leave a sandbox no record knows.
 */
final class Creations {

    private final Semaphore slots;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int underWay;
    private boolean closed;

    /** @param concurrency the most creations at once; 0 = {@link #defaultConcurrency()} */
    Creations(int concurrency) {
        this.slots = new Semaphore(concurrency == 0 ? defaultConcurrency() : concurrency, true);
    }

    /** max(4, 2 × CPU cores): creation is mostly waiting for a JVM to start inside the sandbox. */
    static int defaultConcurrency() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /** Runs one creation once a slot is free; refused with {@code UNAVAILABLE} once the manager closes. */
    <T> T run(Supplier<T> creation) {
        lock.lock();
        try {
            if (closed) {
                throw stopping();
            }
            underWay++;
        } finally {
            lock.unlock();
        }
        try {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stopping();
            }
            try {
                if (isClosed()) {
                    throw stopping();
                }
                return creation.get();
            } finally {
                slots.release();
            }
        } finally {
            lock.lock();
            try {
                underWay--;
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Refuses new creations and waits up to {@code patience} for those under way; whether they all ended. */
    boolean close(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        lock.lock();
        try {
            closed = true;
            while (underWay > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    int underWay() {
        lock.lock();
        try {
            return underWay;
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private static SandboxException stopping() {
        return new SandboxException(SandboxException.Kind.UNAVAILABLE, "the server is shutting down");
    }
}
