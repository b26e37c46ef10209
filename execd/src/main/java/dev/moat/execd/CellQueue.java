package dev.moat.execd;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The cells waiting for one kernel, run one at a time in the order they arrived, so the output of two runs never
 * interleaves. A cell whose client left while it waited is dropped without running. Bounded: a full queue refuses.
 */
final class CellQueue {

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<CellRun> cells = new ArrayDeque<>();
    private boolean headStarted;

    CellQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Queues a cell; {@code false} when the queue is full. */
    boolean offer(CellRun cell) {
        lock.lock();
        try {
            if (cells.size() >= capacity) {
                return false;
            }
            cells.addLast(cell);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until {@code cell} is first in line and marks it started; {@code false} if it was cancelled. */
    boolean awaitTurn(CellRun cell) throws InterruptedException {
        lock.lock();
        try {
            while (cells.peekFirst() != cell) {
                if (!cells.contains(cell)) {
                    return false;
                }
                changed.await();
            }
            headStarted = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a cell that has not started; {@code false} if it is running (or already gone). */
    boolean cancel(CellRun cell) {
        lock.lock();
        try {
            if (cells.peekFirst() == cell && headStarted) {
                return false;
            }
            boolean removed = cells.remove(cell);
            changed.signalAll();
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the running cell and lets the next one go. */
    void finished(CellRun cell) {
        lock.lock();
        try {
            if (cells.peekFirst() == cell) {
                headStarted = false;
            }
            cells.remove(cell);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The cell that is running now, if any. */
    Optional<CellRun> running() {
        lock.lock();
        try {
            return headStarted ? Optional.ofNullable(cells.peekFirst()) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }
}
