package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.SandboxException;
import dev.moat.protocol.SandboxState;
import java.util.EnumSet;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Pauses and resumes sandboxes: Running → Pausing → Paused and back through Resuming. Asking for the state a sandbox
 * is already in is fine; from any other state it is a {@code CONFLICT}. When the backend fails, the sandbox returns
 * to the state it came from.
 */
final class PauseResume {

    private final Records records;
    private final Backend backend;

    PauseResume(Records records, Backend backend) {
        this.records = records;
        this.backend = backend;
    }

    SandboxRecord pause(String id) {
        return move(id, SandboxState.Running, SandboxState.Pausing, SandboxState.Paused, backend::pause);
    }

    SandboxRecord resume(String id) {
        return move(id, SandboxState.Paused, SandboxState.Resuming, SandboxState.Running, backend::resume);
    }

    private SandboxRecord move(
            String id, SandboxState from, SandboxState during, SandboxState to, Consumer<String> action) {
        SandboxRecord record = records.require(id);
        if (record.state() == to) {
            return record;
        }
        if (records.transition(id, EnumSet.of(from), during, during.name().toLowerCase(Locale.ROOT), "")
                .isEmpty()) {
            throw new SandboxException(
                    SandboxException.Kind.CONFLICT,
                    "sandbox '" + id + "' is " + records.require(id).state() + "; only a " + from
                            + " sandbox can become " + to);
        }
        try {
            action.accept(id);
        } catch (RuntimeException e) {
            records.transition(id, EnumSet.of(during), from, "transition_failed", e.getMessage());
            throw e;
        }
        return records.transition(id, EnumSet.of(during), to, to.name().toLowerCase(Locale.ROOT), "")
                .orElseGet(() -> records.require(id));
    }
}
