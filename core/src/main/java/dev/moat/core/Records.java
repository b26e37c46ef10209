package dev.moat.core;

import dev.moat.core.spi.SandboxException;
import dev.moat.protocol.SandboxState;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The manager's view of the {@link StateStore}: looks records up as a client may see them (pool members are hidden),
 * changes them, and moves them between states only from the states a move allows, so that two threads racing on one
 * sandbox (a delete and its expiry, say) never both make the same move.
 */
final class Records {

    /** The states of a sandbox that exists on the backend, or is being made there. */
    static final Set<SandboxState> LIVE = EnumSet.of(
            SandboxState.Pending,
            SandboxState.Running,
            SandboxState.Pausing,
            SandboxState.Paused,
            SandboxState.Resuming);

    private final StateStore store;
    private final Clock clock;

    Records(StateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    void insert(SandboxRecord record) {
        store.insert(record);
    }

    /** Any record, pool members included. */
    Optional<SandboxRecord> find(String id) {
        return store.get(id);
    }

    /** Every record, pool members included. */
    List<SandboxRecord> all() {
        return store.all();
    }

    /** The record of a sandbox a client may see. */
    Optional<SandboxRecord> get(String id) {
        return store.get(id).filter(record -> !record.pooled());
    }

    /** The record of a sandbox a client may see; {@code NOT_FOUND} otherwise. */
    SandboxRecord require(String id) {
        return get(id).orElseThrow(() -> notFound(id));
    }

    /** Every sandbox a client may see (pool members are not), oldest first. */
    List<SandboxRecord> list() {
        return store.all().stream()
                .filter(record -> !record.pooled())
                .sorted(Comparator.comparing(SandboxRecord::createdAt).thenComparing(SandboxRecord::id))
                .toList();
    }

    /** How many records are in each state, pool members included. */
    Map<SandboxState, Integer> countByState() {
        Map<SandboxState, Integer> byState = new EnumMap<>(SandboxState.class);
        for (SandboxRecord record : store.all()) {
            byState.merge(record.state(), 1, Integer::sum);
        }
        return byState;
    }

    /** Applies {@code change} atomically; returns the changed record, or empty when there is no such record. */
    Optional<SandboxRecord> tryUpdate(String id, UnaryOperator<SandboxRecord> change) {
        return store.update(id, change);
    }

    /** Applies {@code change} atomically; {@code NOT_FOUND} when there is no such record. */
    SandboxRecord update(String id, UnaryOperator<SandboxRecord> change) {
        return store.update(id, change).orElseThrow(() -> notFound(id));
    }

    /**
     * Moves the record from one of {@code from} to {@code to}; returns the new record when this call made the move,
     * empty when the record was in another state (or gone).
     */
    Optional<SandboxRecord> transition(
            String id, Set<SandboxState> from, SandboxState to, String reason, String message) {
        AtomicReference<SandboxRecord> before = new AtomicReference<>();
        Instant now = clock.instant();
        Optional<SandboxRecord> after = store.update(id, record -> {
            before.set(record);
            return from.contains(record.state()) ? record.transition(to, reason, message, now) : record;
        });
        return after.filter(record -> from.contains(before.get().state()));
    }

    static SandboxException notFound(String id) {
        return new SandboxException(SandboxException.Kind.NOT_FOUND, "sandbox '" + id + "' does not exist");
    }
}
