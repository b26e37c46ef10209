package dev.moat.core;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where sandbox records live: in memory for one server, in Redis when several share sandboxes. Updates are atomic per
 * record.
 */
public interface StateStore {

    Optional<SandboxRecord> get(String id);

    /** Stores a new record; fails with {@code false} when the id exists. */
    boolean insert(SandboxRecord record);

    /**
     * Atomically replaces the record with {@code change(record)}; returns the stored result, or empty when the id is
     * unknown. {@code change} may run more than once and must not have side effects.
     */
    Optional<SandboxRecord> update(String id, UnaryOperator<SandboxRecord> change);

    void remove(String id);

    List<SandboxRecord> all();
}
