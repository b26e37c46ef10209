package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.protocol.SandboxState;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes sandboxes away: deletes them on request or expiry, fails them when they die, and removes every one at
 * shutdown. Each sandbox that goes gives its {@link Admission} place back exactly once, and the pools are woken to
 * use it.
 */
final class Removals {

    private static final Logger LOG = LoggerFactory.getLogger(Removals.class);

    private final Records records;
    private final Backend backend;
    private final Admission admission;
    private final WarmPools pools;

    Removals(Records records, Backend backend, Admission admission, WarmPools pools) {
        this.records = records;
        this.backend = backend;
        this.admission = admission;
        this.pools = pools;
    }

    /** Deletes a sandbox, pool members included; {@code NOT_FOUND} when there is no record. Deleting twice is fine. */
    void delete(String id, String reason, String message) {
        SandboxRecord record = records.find(id).orElseThrow(() -> Records.notFound(id));
        if (record.state() == SandboxState.Pending) {
            // the provisioning thread sees Stopping and finishes the deletion
            records.transition(id, EnumSet.of(SandboxState.Pending), SandboxState.Stopping, reason, message);
            return;
        }
        if (records.transition(
                        id,
                        EnumSet.of(
                                SandboxState.Running, SandboxState.Paused, SandboxState.Pausing, SandboxState.Resuming),
                        SandboxState.Stopping,
                        reason,
                        message)
                .isPresent()) {
            removeFromBackend(id, reason, message);
        }
    }

    /** Removes a Stopping sandbox from the backend and turns it Terminated (or Failed when that fails). */
    void removeFromBackend(String id, String reason, String message) {
        try {
            backend.remove(id);
            records.transition(id, EnumSet.of(SandboxState.Stopping), SandboxState.Terminated, reason, message);
        } catch (RuntimeException e) {
            LOG.error("sandbox {} could not be removed: {}", id, e.getMessage());
            records.transition(
                    id, EnumSet.of(SandboxState.Stopping), SandboxState.Failed, "remove_failed", e.getMessage());
        } finally {
            released();
        }
    }

    /** Marks a live sandbox Failed and removes what is left of it; {@code false} when it was no longer live. */
    boolean fail(String id, String reason, String message) {
        if (records.transition(id, Records.LIVE, SandboxState.Failed, reason, message)
                .isEmpty()) {
            return false; // already ending, e.g. deleted while it was checked
        }
        pools.discard(id);
        try {
            backend.remove(id);
        } catch (RuntimeException e) {
            LOG.error("failed sandbox {} could not be removed: {}", id, e.getMessage());
        } finally {
            released();
        }
        return true;
    }

    /** A sandbox is gone (or was never made): its admission place is free for a request or a pool. */
    void released() {
        admission.release();
        pools.pokeAll();
    }

    /** Removes every live sandbox and turns it Terminated, at shutdown; admission places are not given back. */
    void removeAll() {
        for (SandboxRecord record : records.all()) {
            if (record.isLive()) {
                try {
                    backend.remove(record.id());
                    records.transition(
                            record.id(),
                            Records.LIVE,
                            SandboxState.Terminated,
                            "server_shutdown",
                            "removed when the server stopped");
                } catch (RuntimeException e) {
                    LOG.error("sandbox {} could not be removed at shutdown: {}", record.id(), e.getMessage());
                }
            }
        }
    }
}
