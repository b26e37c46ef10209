package dev.moat.core;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one warm pool full in the background: whenever the pool is short and an admission place is free, it makes a
 * member, at most {@code concurrency} at a time. Persistent failures (a missing image, a broken host) back off
 * exponentially up to a minute instead of spinning.
 */
final class PoolRefiller {

    private static final Logger LOG = LoggerFactory.getLogger(PoolRefiller.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final WarmPool pool;
    private final SandboxMaker maker;
    private final Admission admission;
    private final Semaphore slots;
    private volatile Thread thread;
    private volatile boolean stopped;
    private volatile long backoffMillis;

    PoolRefiller(WarmPool pool, SandboxMaker maker, Admission admission, int concurrency) {
        this.pool = pool;
        this.maker = maker;
        this.admission = admission;
        this.slots = new Semaphore(concurrency);
    }

    void start() {
        thread = Thread.ofVirtual().name("pool-refill-" + pool.type().name()).start(this::run);
    }

    private void run() {
        try {
            while (!stopped) {
                pool.awaitShortage(1_000);
                if (backoffMillis > 0) {
                    Thread.sleep(backoffMillis);
                }
                while (!stopped && pool.startMaking()) {
                    if (!admission.tryAcquire()) {
                        // at capacity: wait until a place is released (release pokes the pool) or a second passes;
                        // waiting for a shortage would return at once, the pool being short, and spin
                        pool.doneMaking(java.util.Optional.empty());
                        pool.awaitChange(1_000);
                        break;
                    }
                    slots.acquire();
                    Thread.ofVirtual().name("pool-member-" + pool.type().name()).start(this::makeOne);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void makeOne() {
        try {
            maker.makePoolMember(pool);
            backoffMillis = 0;
        } catch (RuntimeException e) {
            backoffMillis = Math.min(Math.max(backoffMillis * 2, 500), MAX_BACKOFF.toMillis());
            LOG.warn(
                    "could not warm a '{}' sandbox for the pool (retrying in {} ms): {}",
                    pool.type().name(),
                    backoffMillis,
                    e.getMessage());
        } finally {
            slots.release();
        }
    }

    void stop() {
        stopped = true;
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }
}
