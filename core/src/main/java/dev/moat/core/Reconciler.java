package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.SandboxInfo;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the backend agree with the records: every sandbox that carries this server's ownership label but has no live
 * record (left by a server that was killed, say) is removed, so nothing runs that no record knows.
 */
final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final Backend backend;
    private final StateStore store;
    private final String owner;

    Reconciler(Backend backend, StateStore store, String owner) {
        this.backend = backend;
        this.store = store;
        this.owner = owner;
    }

    /** Removes orphans; returns how many. */
    int removeOrphans() {
        int removed = 0;
        for (SandboxInfo info : backend.list(Map.of(ManagerSettings.OWNER_LABEL, owner))) {
            boolean known = store.get(info.id()).map(SandboxRecord::isLive).orElse(false);
            if (!known) {
                try {
                    backend.remove(info.id());
                    removed++;
                } catch (RuntimeException e) {
                    LOG.error("orphaned sandbox {} could not be removed: {}", info.id(), e.getMessage());
                }
            }
        }
        if (removed > 0) {
            LOG.info("removed {} sandboxes that no record knew", removed);
        }
        return removed;
    }
}
