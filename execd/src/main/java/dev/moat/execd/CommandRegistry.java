package dev.moat.execd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every command execd knows by id. Running commands always stay; of the finished ones only the newest
 * {@value #MAX_FINISHED} are kept, and fewer when their command texts add up to more than
 * {@value #MAX_FINISHED_CONTENT} characters (older ones are forgotten, their logs deleted), so a long-lived execd does
 * not grow without bound. A record never reported {@link #finished} (the entrypoint's) is never forgotten.
 */
final class CommandRegistry {

    static final int MAX_FINISHED = 1000;
    static final long MAX_FINISHED_CONTENT = 16L * 1024 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, CommandRecord> records = new HashMap<>();
    private final Deque<CommandRecord> finished = new ArrayDeque<>();
    private long finishedContent;

    /** A fresh command id. */
    String newId() {
        lock.lock();
        try {
            String id;
            do {
                id = "cmd-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
            } while (records.containsKey(id));
            return id;
        } finally {
            lock.unlock();
        }
    }

    void add(CommandRecord record) {
        lock.lock();
        try {
            records.put(record.id(), record);
        } finally {
            lock.unlock();
        }
    }

    /** Makes a finished record evictable, and evicts the oldest finished ones beyond the limit. */
    void finished(CommandRecord record) {
        List<CommandRecord> evicted = new ArrayList<>();
        lock.lock();
        try {
            finished.addLast(record);
            finishedContent += record.content().length();
            while (finished.size() > MAX_FINISHED || finishedContent > MAX_FINISHED_CONTENT) {
                CommandRecord oldest = finished.removeFirst();
                finishedContent -= oldest.content().length();
                records.remove(oldest.id());
                evicted.add(oldest);
            }
        } finally {
            lock.unlock();
        }
        evicted.forEach(old -> old.log().ifPresent(CommandLog::delete));
    }

    /** The record with this id, or a 404 that says so. */
    CommandRecord get(String id) {
        return find(id).orElseThrow(() -> ExecdError.COMMAND_NOT_FOUND.exception(
                "no command '%s': it never ran here, or it finished long ago and was forgotten (execd keeps"
                        + " the last %d finished commands)",
                id, MAX_FINISHED));
    }

    Optional<CommandRecord> find(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(records.get(id));
        } finally {
            lock.unlock();
        }
    }

    List<CommandRecord> running() {
        lock.lock();
        try {
            return records.values().stream().filter(CommandRecord::running).toList();
        } finally {
            lock.unlock();
        }
    }
}
