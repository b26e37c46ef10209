package dev.moat.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The warm sandboxes of one type: ids of ready sandboxes waiting to be handed out, and how many are being made. The
 * refiller waits on {@link #awaitShortage} and is woken whenever a member is taken.
 */
final class WarmPool {

    private final SandboxType type;
    private final int target;
    private final Deque<String> ready = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int making;

    WarmPool(SandboxType type, int target) {
        this.type = type;
        this.target = target;
    }

    SandboxType type() {
        return type;
    }

    int target() {
        return target;
    }

    /** Takes the oldest ready member, if any. */
    Optional<String> take() {
        lock.lock();
        try {
            Optional<String> id = Optional.ofNullable(ready.pollFirst());
            id.ifPresent(taken -> changed.signalAll());
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a member that died or was removed while waiting. */
    boolean discard(String id) {
        lock.lock();
        try {
            boolean removed = ready.remove(id);
            if (removed) {
                changed.signalAll();
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** Claims one slot to fill, or returns {@code false} when the pool is full (ready + being made). */
    boolean startMaking() {
        lock.lock();
        try {
            if (ready.size() + making >= target) {
                return false;
            }
            making++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A member finished: ready when {@code id} is present, else the slot is free again. */
    void doneMaking(Optional<String> id) {
        lock.lock();
        try {
            making--;
            id.ifPresent(ready::addLast);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the pool is short of members or {@code millis} pass. */
    void awaitShortage(long millis) throws InterruptedException {
        lock.lock();
        try {
            if (ready.size() + making >= target) {
                changed.await(millis, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until something changes (a member taken, made or discarded, a poke) or {@code millis} pass. */
    void awaitChange(long millis) throws InterruptedException {
        lock.lock();
        try {
            changed.await(millis, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the refiller, e.g. when capacity was released. */
    void poke() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int readyCount() {
        lock.lock();
        try {
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    int makingCount() {
        lock.lock();
        try {
            return making;
        } finally {
            lock.unlock();
        }
    }
}
