package dev.moat.core;

import dev.moat.core.spi.SandboxException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The changes a client may make to a sandbox's record without touching the sandbox: a later expiry and its
 * metadata. Each checks its input and answers {@code INVALID_SPEC}, {@code CONFLICT} or {@code NOT_FOUND}.
 */
final class RecordEdits {

    private final Records records;
    private final Clock clock;

    RecordEdits(Records records, Clock clock) {
        this.records = records;
        this.clock = clock;
    }

    /** Moves the expiry to {@code expiresAt}, which must be in the future and later than the current one. */
    SandboxRecord renew(String id, Instant expiresAt) {
        SandboxRecord record = records.require(id);
        if (!record.isLive()) {
            throw new SandboxException(
                    SandboxException.Kind.CONFLICT,
                    "sandbox '" + id + "' is " + record.state() + "; it cannot be renewed");
        }
        if (!expiresAt.isAfter(clock.instant())) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC, "expiresAt " + expiresAt + " is not in the future");
        }
        if (record.expiresAt().isPresent()
                && !expiresAt.isAfter(record.expiresAt().get())) {
            throw new SandboxException(
                    SandboxException.Kind.INVALID_SPEC,
                    "expiresAt " + expiresAt + " is not later than the current expiry "
                            + record.expiresAt().get());
        }
        return records.update(id, r -> r.withExpiresAt(Optional.of(expiresAt)));
    }

    /** Applies a JSON merge patch to the metadata: present keys are set, keys mapped to empty are removed. */
    SandboxRecord patchMetadata(String id, Map<String, Optional<String>> patch) {
        records.require(id);
        return records.update(id, r -> {
            Map<String, String> metadata = new LinkedHashMap<>(r.metadata());
            patch.forEach((key, value) -> value.ifPresentOrElse(v -> metadata.put(key, v), () -> metadata.remove(key)));
            return r.withMetadata(metadata);
        });
    }
}
